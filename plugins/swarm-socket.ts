import websocket from '@fastify/websocket'
import fp from 'fastify-plugin'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { swarmChannel } from '../lib/channels/swarm-channel.js'
import type { GenswarmsOptions } from '../lib/options.js'
import { attachPhoenixSocket, DEFAULT_MAX_FRAME_BYTES, phoenixSocketOf, type Logger, type SocketLimits } from '../lib/phoenix/index.js'

export const SOCKET_PATH = '/swarm/websocket'
const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024

/**
 * Mounts the Phoenix-protocol socket at /swarm/websocket on the app's own
 * server and port. Only the websocket transport exists (no /swarm/longpoll).
 */
async function swarmSocketPlugin(app: FastifyInstance, opts: GenswarmsOptions): Promise<void> {
  const limits = opts.socket ?? {}
  if (!app.hasDecorator('websocketServer')) {
    // Compression stays off: a deflate context per socket costs far more memory than an idle socket.
    await app.register(websocket, { options: { maxPayload: limits.maxPayload ?? DEFAULT_MAX_FRAME_BYTES, perMessageDeflate: false } })
  }
  const channels = [
    swarmChannel({
      swarmManager: app.swarmManager, eventStore: app.eventStore, pubsub: app.pubsub,
      ...(limits.maxReplyBytes !== undefined ? { maxReplyBytes: limits.maxReplyBytes } : {}),
    }),
  ]
  // One object for every socket: the sockets only read it.
  const socketLimits: Partial<SocketLimits> = Object.freeze({
    ...(limits.maxChannels !== undefined ? { maxChannels: limits.maxChannels } : {}),
    ...(limits.idleTimeoutMs !== undefined ? { idleTimeoutMs: limits.idleTimeoutMs } : {}),
    maxBufferedBytes: limits.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
  })
  app.get(SOCKET_PATH, { websocket: true }, (socket, request) => {
    releaseUpgradeRequest(request.raw)
    attachPhoenixSocket(socket, {
      url: request.url,
      channels,
      logger: new SocketLogger(app.log, request.id),
      limits: socketLimits,
    })
  })

  // The ws server tracks its open sockets already; those of other websocket routes have no Phoenix socket.
  app.addHook('preClose', async () => {
    for (const ws of app.websocketServer.clients) phoenixSocketOf(ws)?.close(1001, 'server shutting down')
  })
}

/**
 * @fastify/websocket routes the upgrade through Fastify with an HTTP response
 * that stays attached to the TCP socket, and through that response Fastify's
 * request and reply, the upgrade request and its headers: several KiB per
 * open socket, never used again once the upgrade is done (the reply is
 * hijacked). Detaching the response lets all of it go.
 */
function releaseUpgradeRequest(raw: IncomingMessage): void {
  const tcp = raw.socket as (IncomingMessage['socket'] & { _httpMessage?: ServerResponse | null }) | null
  const response = tcp?._httpMessage
  if (tcp && response && typeof response.detachSocket === 'function') response.detachSocket(tcp)
}

/**
 * A socket logs rarely (a refused frame, a slow consumer, its close), but
 * `request.log` is a pino child made per request and would live as long as
 * the socket. This keeps only the request id and makes the child on the first
 * line, with the same `reqId` binding.
 */
class SocketLogger implements Logger {
  readonly #parent: FastifyBaseLogger
  readonly #reqId: string
  #child: FastifyBaseLogger | null = null

  constructor(parent: FastifyBaseLogger, reqId: string) {
    this.#parent = parent
    this.#reqId = reqId
  }

  debug(obj: object, msg: string): void {
    this.#log().debug(obj, msg)
  }

  info(obj: object, msg: string): void {
    this.#log().info(obj, msg)
  }

  warn(obj: object, msg: string): void {
    this.#log().warn(obj, msg)
  }

  error(obj: object, msg: string): void {
    this.#log().error(obj, msg)
  }

  #log(): FastifyBaseLogger {
    this.#child ??= this.#parent.child({ reqId: this.#reqId })
    return this.#child
  }
}

export default fp(swarmSocketPlugin, { name: 'genswarms-swarm-socket', dependencies: ['genswarms-core'] })
