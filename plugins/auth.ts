import { createHash, timingSafeEqual } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errors, type GenswarmsError } from '../lib/errors.js'
import { resolveAllowedHosts, type GenswarmsOptions } from '../lib/options.js'
import { textBodyAllowed } from './text-body.js'

/** Host names that can only ever mean this machine, so a DNS-rebound page cannot use them. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Runs first, before CORS: without an API token, a request is served only
 * when its `Host` names this machine (or an allowed host). A page on a
 * rebound DNS name reaches a loopback server from the victim's own browser,
 * so the peer address alone proves nothing; the name it asked for does.
 * Preflights are checked too: a rebound page gets nothing from this server.
 */
async function hostGuardPlugin(app: FastifyInstance, opts: GenswarmsOptions): Promise<void> {
  const allowed = new Set(resolveAllowedHosts(opts))
  const tokenSet = Boolean(app.genswarms.apiToken)

  app.addHook('onRequest', async (request, reply) => {
    if (isWebSocketUpgrade(request)) {
      // A refused upgrade never reaches the websocket plugin, whose cleanup would
      // otherwise close the raw socket; left open, it would hold the server open.
      reply.raw.once('finish', () => {
        if (reply.statusCode >= 400) request.raw.socket.destroy()
      })
    }
    if (tokenSet) return
    const host = request.headers.host
    if (host === undefined || !hostAllowed(host, allowed)) return refuse(reply, errors.hostNotAllowed(host ?? ''))
  })
}

/**
 * Security defaults for every route of the context it is registered in, the
 * WebSocket upgrade included:
 * - a request that changes state (POST, PUT, PATCH, DELETE, or a socket
 *   upgrade) and names an `Origin` must name an allowed one or this server's
 *   own, with or without a token: browsers send cross-site "simple" requests
 *   without a preflight, so CORS alone would not stop them;
 * - with an API token, each request must carry it: `Authorization: Bearer <token>`,
 *   or `?token=` on a WebSocket upgrade (browsers cannot set headers there);
 * - without one, only loopback peers are served;
 * - a request that changes state carries JSON or nothing: form and text bodies
 *   are what a cross-site page can send without asking (a route may take a
 *   text body a browser would preflight, see text-body.ts).
 * CORS preflights pass untouched: browsers never attach credentials to them.
 */
async function authPlugin(app: FastifyInstance): Promise<void> {
  const { apiToken, corsOrigins } = app.genswarms
  const expected = apiToken ? digest(apiToken) : null
  const origins = new Set(corsOrigins)

  app.addHook('onRequest', async (request, reply) => {
    if (isPreflight(request)) return
    const upgrade = isWebSocketUpgrade(request)
    const changesState = upgrade || STATE_CHANGING.has(request.method)
    const origin = request.headers.origin
    if (changesState && origin !== undefined && !origins.has(origin) && !isOwnOrigin(origin, request.headers.host)) {
      return refuse(reply, errors.originNotAllowed(origin))
    }
    // The dashboard's page and assets (plugins/dashboard.ts): a browser tab opens them before it can hold a token.
    if (isPublicRoute(request) && !changesState) return
    if (expected) {
      const given = presentedToken(request, upgrade)
      if (given === null || !timingSafeEqual(digest(given), expected)) {
        reply.header('www-authenticate', 'Bearer realm="genswarms"')
        return refuse(reply, errors.unauthorized(given === null ? 'an API token is required (Authorization: Bearer <token>)' : 'invalid API token'))
      }
    } else if (!isLoopback(request.ip)) {
      return refuse(reply, errors.forbidden('only loopback clients are served when no API token is configured; set GENSWARMS_API_TOKEN to serve remote clients'))
    }
    if (STATE_CHANGING.has(request.method)) {
      const type = request.headers['content-type']
      if (type !== undefined ? !isJson(type) && !textBodyAllowed(request, type) : hasBody(request)) return refuse(reply, errors.unsupportedMediaType(type ?? '(none)'))
    }
  })
}

function refuse(reply: FastifyReply, err: GenswarmsError): FastifyReply {
  return reply.code(err.statusCode).send({ error: err.message, code: err.code })
}

/** `localhost:4000` → matches `localhost` (any port) or `localhost:4000` (that port). */
export function hostAllowed(host: string, extra: ReadonlySet<string>): boolean {
  const full = host.trim().toLowerCase()
  const name = hostName(full)
  return LOOPBACK_HOSTS.has(name) || extra.has(name) || extra.has(full)
}

function hostName(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']')
    return end === -1 ? host : host.slice(0, end + 1)
  }
  const colon = host.indexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

/** A page this server served itself: same scheme-less authority as the Host it was asked for. */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false
  const h = host.trim().toLowerCase()
  const o = origin.toLowerCase()
  return o === `http://${h}` || o === `https://${h}`
}

function isJson(contentType: string): boolean {
  return contentType.split(';')[0]!.trim().toLowerCase() === 'application/json'
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length']
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
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

function isPublicRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { public?: unknown } | undefined)?.public === true
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

export const hostGuard = fp(hostGuardPlugin, { name: 'genswarms-host-guard', dependencies: ['genswarms-core'] })
export default fp(authPlugin, { name: 'genswarms-auth', dependencies: ['genswarms-core'] })
