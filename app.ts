import type { Socket } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import genswarms from './index.js'
import { errors, type GenswarmsError } from './lib/errors.js'
import { resolveRequestTimeout, type GenswarmsOptions } from './lib/options.js'
import { packageVersion } from './lib/version.js'

export const DEFAULT_PORT = 4000
export const DEFAULT_HOST = '127.0.0.1'

/** The project's own server: the Genswarms plugin in a default Fastify app. */
export async function buildServer(
  opts: GenswarmsOptions & { logger?: FastifyServerOptions['logger'] } = {},
): Promise<FastifyInstance> {
  const { logger = { level: process.env.LOG_LEVEL ?? 'info' }, ...pluginOptions } = opts
  const requestTimeout = resolveRequestTimeout(pluginOptions)
  const app = Fastify({
    // The socket URL may carry `?token=`; keep it out of the logs.
    logger: typeof logger === 'object' && logger !== null ? { serializers: { req: serializeRequest }, ...logger } : logger,
    bodyLimit: pluginOptions.bodyLimit ?? 1024 * 1024,
    // A request whose headers and body have not all arrived in time is answered
    // 408 and its connection closed. Node only looks for such connections every
    // `connectionsCheckingInterval`, so that is scaled to the timeout.
    requestTimeout,
    http: {
      // Node would refuse a request without Host in plain text; the host guard answers it in the API's shape.
      requireHostHeader: false,
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 60_000),
      connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(requestTimeout / 4))),
    },
    clientErrorHandler,
  })
  await app.register(genswarms, { version: packageVersion(), ...pluginOptions, requestTimeoutMs: requestTimeout })
  // Without a prefix the plugin answers unknown paths itself; with one, the rest of the server is still this app's.
  if (pluginOptions.prefix) {
    app.setNotFoundHandler((request, reply) => {
      const err = errors.routeNotFound(request.method, request.url.split('?')[0]!)
      return reply.code(err.statusCode).send({ error: err.message, code: err.code })
    })
  }
  return app
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }

/**
 * What Node's HTTP parser refuses never reaches Fastify's routes: oversized
 * headers, malformed requests, requests that did not arrive in time. They get
 * the API's `{error, code}` shape too, written straight to the socket.
 */
function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const refusal: GenswarmsError =
    err.code === 'HPE_HEADER_OVERFLOW' ? errors.headersTooLarge()
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? errors.requestTimeout(this.server.requestTimeout)
        : errors.badRequest(`malformed HTTP request${parserReason(err)}`)
  this.log.debug({ code: err.code }, `genswarms: refused a client: ${refusal.message}`)
  // A response already under way cannot be followed by another.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify({ error: refusal.message, code: refusal.code })
    socket.write(
      `HTTP/1.1 ${refusal.statusCode} ${STATUS_TEXT[refusal.statusCode] ?? 'Error'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}

/** Node's parser says what it disliked ("Invalid header value char"); worth passing on, and it never echoes the request. */
function parserReason(err: NodeJS.ErrnoException): string {
  const reason = (err as { reason?: unknown }).reason
  return typeof reason === 'string' && reason.length > 0 && reason.length < 200 ? `: ${reason}` : ''
}

function serializeRequest(req: { method: string; url: string; hostname?: string; ip?: string }) {
  return { method: req.method, url: redactToken(req.url), hostname: req.hostname, remoteAddress: req.ip }
}

export function redactToken(url: string): string {
  return url.replace(/([?&]token=)[^&]*/gi, '$1[redacted]')
}

export function listenOptions(env: NodeJS.ProcessEnv = process.env, port?: number): { port: number; host: string } {
  return {
    port: port ?? (env.PORT ? Number(env.PORT) : DEFAULT_PORT),
    host: env.GENSWARMS_HOST ?? DEFAULT_HOST,
  }
}
