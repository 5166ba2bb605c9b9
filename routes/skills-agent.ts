import type { FastifyInstance } from 'fastify'
import { skillBody } from '../lib/operations/schemas.js'
import { skillFileName, skillKey } from '../lib/skills/index.js'
import { TEXT_BODY } from '../plugins/text-body.js'
import { agentParams, errorReply, noQuery, reply } from './schemas.js'

type AgentParams = { name: string; agent: string }

const skillParams = {
  ...agentParams,
  required: [...agentParams.required, '*'],
  properties: { ...agentParams.properties, '*': { type: 'string', minLength: 1, maxLength: 500, description: 'skill path below the skills directory: `web` or `research/web.md`' } },
} as const

/** One agent's skills: what its next turn is given, and runtime overrides recorded in the overlay. */
export default async function agentSkillRoutes(app: FastifyInstance): Promise<void> {
  const { locate } = app
  // Skill text as it is written; the JSON-only rule lets it through only on this route (plugins/text-body.ts).
  app.addContentTypeParser('text/markdown', { parseAs: 'string' }, (_request, body, done) => done(null, body))

  app.get<{ Params: AgentParams }>('/api/swarms/:name/agents/:agent/skills', {
    schema: {
      summary: "An agent's skills with the text its next turn is given (placeholders filled)",
      tags: ['skills'], params: agentParams, querystring: noQuery,
      response: { 200: reply('`{swarm, agent, skills: [{name, source: "override" | "library" | "missing", content}]}`'), 404: errorReply },
    },
  }, async (request) => {
    const { name, agent } = request.params
    return { swarm: name, agent, skills: await locate(name).agentSkills(agent) }
  })

  app.put<{ Params: AgentParams & { '*': string }; Body: string | { content: string } }>('/api/swarms/:name/agents/:agent/skills/*', {
    config: TEXT_BODY,
    schema: {
      summary: "Set an agent's text for one skill, used from its next turn; recorded in the overlay",
      description: 'The body is JSON `{content}`, or the text itself as `text/markdown` (or `text/plain` on a request that carries an Authorization header).',
      tags: ['skills'], params: skillParams, querystring: noQuery, body: skillBody,
      response: { 200: reply('`{status: "ok", swarm, agent, skill, result}`'), 400: errorReply, 404: errorReply, 409: errorReply },
    },
  }, async (request) => {
    const { name, agent } = request.params
    const content = typeof request.body === 'string' ? request.body : request.body.content
    const skill = skillKey(skillFileName(request.params['*']))
    const result = await locate(name).mutate({ op: 'set_skill', agent, skill, content })
    return { status: 'ok', swarm: name, agent, skill, result }
  })
}
