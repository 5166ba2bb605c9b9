import { join } from 'node:path'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { Socket, type Channel, type Push } from 'phoenix'
import type { Test } from 'tap'
import { WebSocket } from 'ws'
import { buildServer } from '../../app.js'
import type { GenswarmsOptions } from '../../lib/options.js'
import { cliCommand } from './cli-build.js'
import { tempDir } from './engine.js'

export interface TestServer {
  app: FastifyInstance
  port: number
  /** http://127.0.0.1:PORT */
  http: string
  /** ws://127.0.0.1:PORT/swarm — what a phoenix client is given */
  socketUrl: string
  dir: string
}

/** The real server (the plugin in a default app) listening on a free loopback port, on a temp database. */
export async function startServer(t: Test, opts: GenswarmsOptions & { logger?: FastifyServerOptions['logger'] } = {}): Promise<TestServer> {
  const dir = tempDir(t)
  const app = await buildServer({
    logger: false, dbPath: join(dir, 'swarms.db'), cwd: dir, events: { buffered: false }, apiToken: null,
    // Daemons this server relaunches run the CLI compiled from the sources, like the ones the tests start.
    daemonEntry: cliCommand(),
    ...opts,
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => {
    for (const socket of clientsOf.get(t) ?? []) closeClient(socket)
    await app.close()
  })
  const { port } = app.server.address() as { port: number }
  return { app, port, http: `http://127.0.0.1:${port}`, socketUrl: `ws://127.0.0.1:${port}/swarm`, dir }
}

const clientsOf = new WeakMap<Test, Socket[]>()

/** The official phoenix client in Node, with `ws` as its transport and no automatic reconnects. */
export function phoenixSocket(t: Test, url: string, params: Record<string, string> = {}): Socket {
  const socket = new Socket(url, {
    transport: WebSocket as unknown as typeof globalThis.WebSocket,
    params,
    timeout: 5000,
    reconnectAfterMs: () => 60_000,
    rejoinAfterMs: () => 60_000,
  })
  socket.connect()
  clientsOf.set(t, [...(clientsOf.get(t) ?? []), socket])
  t.teardown(() => closeClient(socket))
  return socket
}

/**
 * A phoenix channel whose join was refused, or whose server went away, keeps
 * a rejoin timer running; leaving every channel first stops it, so a test
 * process ends when its work does.
 */
function closeClient(socket: Socket): void {
  for (const channel of [...(socket as unknown as { channels: Channel[] }).channels]) channel.leave()
  socket.disconnect()
}

export type Outcome = { status: 'ok' | 'error' | 'timeout'; response: any }

export function outcome(push: Push): Promise<Outcome> {
  return new Promise((resolve) => {
    push
      .receive('ok', (response: unknown) => resolve({ status: 'ok', response }))
      .receive('error', (response: unknown) => resolve({ status: 'error', response }))
      .receive('timeout', () => resolve({ status: 'timeout', response: null }))
  })
}

/** Collects every push of the given events on a channel, in arrival order. */
export function collect(channel: Channel, events: string[]): { event: string; payload: any }[] {
  const seen: { event: string; payload: any }[] = []
  for (const event of events) channel.on(event, (payload: unknown) => void seen.push({ event, payload }))
  return seen
}

export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
