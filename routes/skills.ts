import { resolve } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { listSkills, readSkill, SKILL_NAME_RE } from '../lib/skills/index.js'
import { errorReply, noQuery, reply } from './schemas.js'

/** Skill markdown files from the skills directory (option `skillsDir`, default `<cwd>/skills`). */
export default async function skillRoutes(app: FastifyInstance, opts: { skillsDir?: string; maxFileBytes: number }): Promise<void> {
  const dir = resolve(app.genswarms.cwd, opts.skillsDir ?? 'skills')

  app.get('/api/skills', {
    schema: { summary: 'Skill files available to agents, recursively; a folder is a category', tags: ['skills'], querystring: noQuery, response: { 200: reply('`{skills: [{name, category, size, modified_at}]}`; `name` is the path below the skills directory, `category` its folders (null at the top)') } },
  }, async () => ({ skills: await listSkills(dir) }))

  app.get<{ Params: { name: string } }>('/api/skills/:name', {
    schema: {
      summary: 'One skill file (`web.md` or `web`)',
      tags: ['skills'],
      params: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', maxLength: 200, pattern: SKILL_NAME_RE.source, description: 'file name; no paths' } },
        additionalProperties: false,
      },
      querystring: noQuery,
      response: { 200: reply('`{name, content}`'), 400: errorReply, 404: errorReply },
    },
  }, async (request) => readSkill(dir, request.params.name, opts.maxFileBytes))

  app.get<{ Params: { '*': string } }>('/api/skills/*', {
    schema: {
      summary: 'One skill file in a category folder (`research/web.md` or `research/web`)',
      tags: ['skills'],
      params: { type: 'object', required: ['*'], properties: { '*': { type: 'string', minLength: 1, maxLength: 500, description: 'path below the skills directory; each segment a plain file name' } }, additionalProperties: false },
      querystring: noQuery,
      response: { 200: reply('`{name, content}`'), 400: errorReply, 404: errorReply },
    },
  }, async (request) => readSkill(dir, request.params['*'], opts.maxFileBytes))
}
