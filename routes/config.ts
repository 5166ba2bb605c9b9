import type { FastifyInstance } from 'fastify'
import { configFromSource, type ConfigSource } from '../lib/config/source.js'
import { summarizeConfig } from '../lib/config/validate.js'
import { errors, isGenswarmsError } from '../lib/errors.js'
import { configSourceProperties, errorReply, noQuery, reply } from './schemas.js'

const validateBody = {
  type: 'object',
  description: 'exactly one of `config`, `config_path`, or `content` with its `format`',
  properties: {
    ...configSourceProperties,
    content: { type: 'string', description: 'config file text' },
    format: { type: 'string', enum: ['json', 'yaml', 'yml'], description: 'format of `content`' },
  },
  additionalProperties: false,
} as const

/** Config validation without starting anything. */
export default async function configRoutes(app: FastifyInstance, opts: { maxFileBytes: number }): Promise<void> {
  app.post<{ Body: ConfigSource }>('/api/config/validate', {
    schema: {
      summary: 'Validate a swarm config: every problem at once, each naming its path',
      tags: ['config'],
      querystring: noQuery,
      body: validateBody,
      response: { 200: reply('`{valid: true, config: {name, agents, objects, edges}}`'), 400: { ...errorReply, description: '`{valid: false, errors: [...]}`, or `{error, code}` for a malformed request' } },
    },
  }, async (request, res) => {
    try {
      const { config } = await configFromSource(request.body, app.genswarms.cwd, undefined, { maxFileBytes: opts.maxFileBytes })
      return { valid: true, config: summarizeConfig(config) }
    } catch (err) {
      // An unreadable or unparsable file is as invalid as a bad config.
      if (isGenswarmsError(err) && err.code === errors.configFile.code) return res.code(400).send({ valid: false, errors: [err.message] })
      throw err
    }
  })
}
