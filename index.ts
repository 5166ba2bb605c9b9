import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import authPlugin, { hostGuard } from './plugins/auth.js'
import corePlugin from './plugins/core.js'
import corsPlugin from './plugins/cors.js'
import dashboardPlugin from './plugins/dashboard.js'
import openapiPlugin from './plugins/openapi.js'
import swarmSocketPlugin from './plugins/swarm-socket.js'
import routes from './routes/index.js'
import { errorHandler } from './routes/error-handler.js'
import { errors } from './lib/errors.js'
import { resolveRequestTimeout, type GenswarmsOptions } from './lib/options.js'

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
  const requestTimeout = resolveRequestTimeout(options)
  await app.register(corePlugin, options)
  // Fastify leaves Node's request timeout off unless told otherwise, so a client
  // that never finishes its body would hold its connection for ever. A host that
  // chose a timeout of its own keeps it.
  if (app.server.requestTimeout === 0) app.server.requestTimeout = requestTimeout
  // The decorators above are the host app's; everything reachable over the
  // network lives in one encapsulated context, so its CORS, auth, OpenAPI and
  // error format never touch the host app's own routes.
  await app.register(
    async (api) => {
      api.setErrorHandler(errorHandler)
      const routeTable: { pattern: RegExp; methods: string[] }[] = []
      api.addHook('onRoute', (route) => {
        if (route.url.includes('*')) return
        routeTable.push({ pattern: pathPattern(route.url), methods: [route.method].flat() })
      })
      setNotFound(api, (request, reply) => {
        const path = request.url.split('?')[0]!
        const methods = [...new Set(routeTable.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))]
        const err = methods.length > 0 ? errors.methodNotAllowed(request.method) : errors.routeNotFound(request.method, path)
        if (methods.length > 0) reply.header('allow', methods.join(', '))
        return reply.code(err.statusCode).send({ error: err.message, code: err.code })
      })
      // Host first: a request for a foreign name gets nothing, not even CORS headers.
      await api.register(hostGuard, options)
      await api.register(corsPlugin, options)
      await api.register(authPlugin, options)
      if (options.openapi !== false) await api.register(openapiPlugin, options)
      await api.register(swarmSocketPlugin, options)
      await api.register(routes, options)
      if (options.dashboard !== false) await api.register(dashboardPlugin, typeof options.dashboard === 'object' ? options.dashboard : {})
    },
    { prefix },
  )
}

/**
 * Without a prefix this context is the app's root, whose not-found handler a
 * host app may already have set; theirs is kept then, and only routed
 * requests get this plugin's guards and error shape.
 */
function setNotFound(api: FastifyInstance, handler: (request: FastifyRequest, reply: FastifyReply) => FastifyReply): void {
  try {
    api.setNotFoundHandler(handler)
  } catch (err) {
    if (!/not found handler already set/i.test((err as Error).message)) throw err
  }
}

/** `/api/swarms/:name` → a regex for concrete paths, to tell a wrong method (405) from an unknown path (404). */
function pathPattern(url: string): RegExp {
  const parts = url.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
  return new RegExp(`^${parts.join('/')}/?$`)
}

export default fp(genswarms, { name: 'genswarms', fastify: '5.x' })
export { genswarms }
export type { GenswarmsOptions } from './lib/options.js'
// Re-exported so that index.d.ts loads plugins/core.d.ts, whose `declare module
// 'fastify'` gives a consumer's `app.swarmManager` & co. their types; `exports`
// allows no deep import that could reach it otherwise.
export type { ResolvedGenswarmsOptions } from './plugins/core.js'
export { createEngine, type Engine, type EngineOptions } from './lib/engine.js'
export { GenswarmsError, errors } from './lib/errors.js'
export type { SwarmConfig, AgentSpec, Edge } from './lib/config/types.js'
export type { SwarmEvent, EventQuery, EventStore } from './lib/events/types.js'
