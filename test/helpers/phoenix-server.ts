import Fastify, { type FastifyInstance } from 'fastify'
import websocket from '@fastify/websocket'
import { attachPhoenixSocket, DEFAULT_MAX_FRAME_BYTES, type Logger, type SocketLimits } from '../../lib/phoenix/index.js'
import { roomChannel, type RoomRecord } from './phoenix-room-channel.js'

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error'
  obj: object
  msg: string
}

export interface PhoenixTestServer {
  app: FastifyInstance
  /** `ws://127.0.0.1:PORT/swarm`, what a Phoenix client is given */
  base: string
  record: RoomRecord
  logs: LogEntry[]
  close(): Promise<void>
}

/** A real Fastify + @fastify/websocket server with the room channel at /swarm/websocket. */
export async function startPhoenixServer(opts: { limits?: Partial<SocketLimits>; closeGraceMs?: number } = {}): Promise<PhoenixTestServer> {
  const record: RoomRecord = { terminated: [] }
  const logs: LogEntry[] = []
  const logger: Logger = {
    debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => logs.push({ level: 'error', obj, msg }),
  }
  const app = Fastify({ logger: false })
  await app.register(websocket, { options: { maxPayload: DEFAULT_MAX_FRAME_BYTES } })
  const channels = [roomChannel(record)]
  app.get('/swarm/websocket', { websocket: true }, (socket, request) => {
    attachPhoenixSocket(socket, { url: request.url, channels, limits: opts.limits, logger, closeGraceMs: opts.closeGraceMs })
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address')
  return { app, base: `ws://127.0.0.1:${address.port}/swarm`, record, logs, close: () => app.close() }
}

/** Polls until `check` holds; for effects that happen on the server with nothing on the wire to wait for. */
export async function eventually(check: () => boolean, label: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${label}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
