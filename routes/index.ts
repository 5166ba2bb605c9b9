import type { FastifyInstance } from 'fastify'
import type { GenswarmsOptions } from '../lib/options.js'
import agentRoutes from './agents.js'
import configRoutes from './config.js'
import { errorHandler } from './error-handler.js'
import eventRoutes from './events.js'
import infoRoutes, { type Endpoint } from './info.js'
import messageRoutes from './messages.js'
import mutationRoutes from './mutations.js'
import objectRoutes from './objects.js'
import pauseRoutes from './pause.js'
import skillRoutes from './skills.js'
import agentSkillRoutes from './skills-agent.js'
import swarmRoutes from './swarms.js'
import systemObjectRoutes from './system-objects.js'
import taskRoutes from './tasks.js'
import { formatSchemaErrors, genswarmsValidatorCompiler } from './validation.js'

const DEFAULT_BODY_LIMIT = 1024 * 1024

/**
 * The REST API. Encapsulated: its validation, error format and body
 * limit apply to these routes only, never to the host app's own.
 */
export default async function routes(app: FastifyInstance, opts: GenswarmsOptions): Promise<void> {
  app.setValidatorCompiler(genswarmsValidatorCompiler())
  app.setSchemaErrorFormatter(formatSchemaErrors)
  app.setErrorHandler(errorHandler)

  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT
  const endpoints: Endpoint[] = []
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= bodyLimit
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || hidden) continue
      const summary = (route.schema as { summary?: string } | undefined)?.summary
      endpoints.push({ method, path: route.url, ...(summary ? { summary } : {}) })
    }
  })

  await app.register(infoRoutes, { endpoints })
  // A config file read for the client is held to the same limit as a body it sent.
  await app.register(swarmRoutes, { maxFileBytes: bodyLimit })
  await app.register(agentRoutes)
  await app.register(messageRoutes)
  await app.register(eventRoutes)
  await app.register(configRoutes, { maxFileBytes: bodyLimit })
  await app.register(skillRoutes, { maxFileBytes: bodyLimit, ...(opts.skillsDir !== undefined ? { skillsDir: opts.skillsDir } : {}) })
  await app.register(mutationRoutes)
  await app.register(objectRoutes)
  await app.register(taskRoutes)
  await app.register(pauseRoutes)
  await app.register(agentSkillRoutes)
  await app.register(systemObjectRoutes)
}
