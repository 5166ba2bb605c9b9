import { createHash, timingSafeEqual } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errors, type GenswarmsError } from '../lib/errors.js'
import type { GenswarmsOptions } from '../lib/options.js'

/**
 * Security defaults (SPEC §10) for every route of the context it is registered
 * in, the WebSocket upgrade included:
 * - with an API token, each request must carry it: `Authorization: Bearer <token>`,
 *   or `?token=` on a WebSocket upgrade (browsers cannot set headers there);
 * - without one, only loopback peers are served;
 * - a WebSocket upgrade that sends an `Origin` must send an allowed one.
 * CORS preflights pass untouched: browsers never attach credentials to them.
 */
async function authPlugin(app: FastifyInstance): Promise<void> {
  const { apiToken, corsOrigins } = app.genswarms
  const expected = apiToken ? digest(apiToken) : null
  const origins = new Set(corsOrigins)

  app.addHook('onRequest', async (request, reply) => {
    if (isPreflight(request)) return
    const upgrade = isWebSocketUpgrade(request)
    if (upgrade) {
      // A refused upgrade never reaches the websocket plugin, whose cleanup would
      // otherwise close the raw socket; left open, it would hold the server open.
      reply.raw.once('finish', () => {
        if (reply.statusCode >= 400) request.raw.socket.destroy()
      })
      const origin = request.headers.origin
      if (origin !== undefined && !origins.has(origin)) {
        return refuse(reply, errors.forbidden(`origin ${origin} is not allowed; allowed origins are set by GENSWARMS_CORS_ORIGINS`))
      }
    }
    if (expected) {
      const given = presentedToken(request, upgrade)
      if (given === null || !timingSafeEqual(digest(given), expected)) {
        reply.header('www-authenticate', 'Bearer realm="genswarms"')
        return refuse(reply, errors.unauthorized(given === null ? 'an API token is required (Authorization: Bearer <token>)' : 'invalid API token'))
      }
      return
    }
    if (!isLoopback(request.ip)) {
      return refuse(reply, errors.forbidden('only loopback clients are served when no API token is configured; set GENSWARMS_API_TOKEN to serve remote clients'))
    }
  })
}

function refuse(reply: FastifyReply, err: GenswarmsError): FastifyReply {
  return reply.code(err.statusCode).send({ error: err.message, code: err.code })
}

// Equal-length digests, so the comparison takes the same time whatever was sent.
function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

function presentedToken(request: FastifyRequest, upgrade: boolean): string | null {
  const header = request.headers.authorization
  if (typeof header === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim())
    return match ? match[1]! : ''
  }
  if (!upgrade) return null
  const token = new URL(request.url, 'http://localhost').searchParams.get('token')
  return token
}

function isPreflight(request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined
}

function isWebSocketUpgrade(request: FastifyRequest): boolean {
  return request.headers.upgrade?.toLowerCase() === 'websocket'
}

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const a = address.toLowerCase()
  return a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.')
}

export default fp(authPlugin, { name: 'genswarms-auth', dependencies: ['genswarms-core'] })
