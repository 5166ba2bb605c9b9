import websocket from '@fastify/websocket'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { swarmChannel } from '../lib/channels/swarm-channel.js'
import type { GenswarmsOptions } from '../lib/options.js'
import { attachPhoenixSocket, DEFAULT_MAX_FRAME_BYTES, type PhoenixSocket } from '../lib/phoenix/index.js'

export const SOCKET_PATH = '/swarm/websocket'
const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024

/**
 * Mounts the Phoenix-protocol socket at /swarm/websocket on the app's own
 * server and port. Only the websocket transport exists (no /swarm/longpoll).
 */
async function swarmSocketPlugin(app: FastifyInstance, opts: GenswarmsOptions): Promise<void> {
  const limits = opts.socket ?? {}
  if (!app.hasDecorator('websocketServer')) {
    await app.register(websocket, { options: { maxPayload: limits.maxPayload ?? DEFAULT_MAX_FRAME_BYTES } })
  }
  const channels = [
    swarmChannel({
      swarmManager: app.swarmManager, eventStore: app.eventStore, pubsub: app.pubsub,
      ...(limits.maxReplyBytes !== undefined ? { maxReplyBytes: limits.maxReplyBytes } : {}),
    }),
  ]
  const sockets = new Set<PhoenixSocket>()

  app.get(SOCKET_PATH, { websocket: true }, (socket, request) => {
    const phoenix = attachPhoenixSocket(socket, {
      url: request.url,
      channels,
      logger: request.log,
      limits: {
        ...(limits.maxChannels !== undefined ? { maxChannels: limits.maxChannels } : {}),
        ...(limits.idleTimeoutMs !== undefined ? { idleTimeoutMs: limits.idleTimeoutMs } : {}),
        maxBufferedBytes: limits.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      },
    })
    if (!phoenix) return
    sockets.add(phoenix)
    socket.once('close', () => sockets.delete(phoenix))
  })

  app.addHook('preClose', async () => {
    for (const socket of sockets) socket.close(1001, 'server shutting down')
  })
}

export default fp(swarmSocketPlugin, { name: 'genswarms-swarm-socket', dependencies: ['genswarms-core'] })
