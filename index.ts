import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import authPlugin from './plugins/auth.js'
import corePlugin from './plugins/core.js'
import corsPlugin from './plugins/cors.js'
import openapiPlugin from './plugins/openapi.js'
import swarmSocketPlugin from './plugins/swarm-socket.js'
import routes from './routes/index.js'
import type { GenswarmsOptions } from './lib/options.js'

/**
 * The Genswarms Fastify plugin: the engine decorators, auth and CORS, the
 * REST API under /api, and the Phoenix-protocol socket at /swarm/websocket.
 *
 *   app.register(genswarms, { dbPath: './swarms.db' })
 */
async function genswarms(app: FastifyInstance, opts: GenswarmsOptions): Promise<void> {
  // `prefix` is applied once, to the network context below; passed on to an
  // encapsulated plugin, Fastify would apply it again.
  const { prefix = '', ...options } = opts
  await app.register(corePlugin, options)
  // The decorators above are the host app's; everything reachable over the
  // network lives in one encapsulated context, so its CORS, auth, OpenAPI and
  // error format never touch the host app's own routes.
  await app.register(
    async (api) => {
      await api.register(corsPlugin, options)
      await api.register(authPlugin, options)
      if (options.openapi !== false) await api.register(openapiPlugin, options)
      await api.register(swarmSocketPlugin, options)
      await api.register(routes, options)
    },
    { prefix },
  )
}

export default fp(genswarms, { name: 'genswarms', fastify: '5.x' })
export { genswarms }
export type { GenswarmsOptions } from './lib/options.js'
export { createEngine, type Engine, type EngineOptions } from './lib/engine.js'
export { GenswarmsError, errors } from './lib/errors.js'
export type { SwarmConfig, AgentSpec, Edge } from './lib/config/types.js'
export type { SwarmEvent, EventQuery, EventStore } from './lib/events/types.js'
