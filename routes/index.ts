import type { FastifyInstance } from 'fastify'
import type { GenswarmsOptions } from '../lib/options.js'
import agentRoutes from './agents.js'
import configRoutes from './config.js'
import { errorHandler } from './error-handler.js'
import eventRoutes from './events.js'
import infoRoutes, { type Endpoint } from './info.js'
import messageRoutes from './messages.js'
import mutationRoutes from './mutations.js'
import skillRoutes from './skills.js'
import swarmRoutes from './swarms.js'
import taskRoutes from './tasks.js'
import { formatSchemaErrors, genswarmsValidatorCompiler } from './validation.js'

const DEFAULT_BODY_LIMIT = 1024 * 1024

/**
 * The REST API (SPEC §8). Encapsulated: its validation, error format and body
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
  await app.register(swarmRoutes)
  await app.register(agentRoutes)
  await app.register(messageRoutes)
  await app.register(eventRoutes)
  await app.register(configRoutes)
  await app.register(skillRoutes, { ...(opts.skillsDir !== undefined ? { skillsDir: opts.skillsDir } : {}) })
  await app.register(mutationRoutes)
  await app.register(taskRoutes)
}
