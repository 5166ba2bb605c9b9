// Child process of the socket-memory benchmark: one server under test on its
// own heap, started with --expose-gc so its RSS can be read after a full
// collection. argv: <kind> <swarm>, kind `genswarms` (the project's server with one mock swarm, as
// `genswarms up` builds it, logging at info into a sink) or `raw` (a bare `ws`
// server). Sends {url} once listening; answers every 'measure' over IPC with
// the memory figures after GC.
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { WebSocketServer } from 'ws'

interface MemoryFigures {
  rss: number
  heapUsed: number
  external: number
}

const [kind, swarm = 'memory'] = process.argv.slice(2)
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('socket-memory-server needs --expose-gc')

async function settle(): Promise<MemoryFigures> {
  // Several passes with a turn of the loop between them: weak callbacks and
  // finalizers free more on the next pass.
  for (let i = 0; i < 4; i++) {
    gc!()
    await new Promise((resolve) => setImmediate(resolve))
  }
  const { rss, heapUsed, external } = process.memoryUsage()
  return { rss, heapUsed, external }
}

let close: () => Promise<void>
let url: string
if (kind === 'raw') {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => wss.once('listening', resolve))
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`
  close = () => new Promise<void>((resolve) => wss.close(() => resolve()))
} else if (kind === 'genswarms') {
  const { buildServer } = await import('../../app.js')
  const dir = mkdtempSync(join(tmpdir(), 'genswarms-memory-'))
  const sink = new Writable({ write: (_chunk, _enc, done) => done() })
  const app = await buildServer({ logger: { level: 'info', stream: sink }, dbPath: join(dir, 'swarms.db'), cwd: dir, apiToken: null })
  await app.swarmManager.start({
    name: swarm,
    agents: [{ name: 'idle', backend: { type: 'mock', echo: true }, skills: [], config: {} }],
    objects: [],
    topology: [],
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/swarm/websocket?vsn=2.0.0`
  close = async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  }
} else {
  throw new Error(`unknown server kind ${kind}`)
}

process.on('message', (msg) => {
  if (msg === 'measure') void settle().then((figures) => process.send!(figures))
})
process.on('disconnect', () => void close().finally(() => process.exit(0)))
process.send!({ url })
