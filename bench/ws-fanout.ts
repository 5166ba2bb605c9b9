/**
 * WebSocket fan-out: N raw V2 clients joined to `swarm:fanout` on the real
 * server, and a mock agent with `echo: true` answering M tasks sent through
 * `swarmManager.sendTask`, so every output takes the whole engine path
 * (agent → spine → PubSub → channel → socket). Each task text starts with
 * its index and the moment it was sent; the echo brings it back in the
 * agent_output push, and each client takes one latency sample per output.
 *
 * In the same run, a plain `ws` server broadcasts the same three frames per
 * output (agent_status working, agent_output, agent_status idle), each
 * encoded once, to the same N clients: the floor the Phoenix layer is
 * compared with. The clients live in a child process (bench/helpers/ws-clients.ts)
 * so the server has a core to itself.
 *
 * Latency is measured with one output in flight (the path itself), then
 * throughput with `window` outputs in flight: enough to keep server and
 * clients busy at once, bounded so no backlog grows without limit.
 *
 *   node --import tsx bench/ws-fanout.ts [--clients 500] [--outputs 200] [--window 8] [--probes 100] [--bytes 256]
 *   (or WS_FANOUT_CLIENTS, WS_FANOUT_OUTPUTS, WS_FANOUT_WINDOW, WS_FANOUT_PROBES, WS_FANOUT_BYTES)
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { WebSocketServer } from 'ws'
import { buildServer } from '../app.js'
import type { ClientsReport, ClientsRequest } from './helpers/ws-clients.js'
import { runIfMain, type Bench, type BenchResult } from './run.js'

interface Settings {
  clients: number
  /** outputs of the throughput phase */
  outputs: number
  /** outputs in flight during the throughput phase */
  window: number
  /** outputs of the latency phase, sent one at a time */
  probes: number
  bytes: number
  warmup: number
}

interface Latencies {
  p50: number
  p99: number
  samples: number
}

interface SideResult {
  /** with `window` outputs in flight */
  pushesPerSecond: number
  cpuMicrosPerPush: number
  /** with one output in flight: the path itself */
  latency: Latencies
}

const SWARM = 'fanout'
const AGENT = 'speaker'
const TOPIC = `swarm:${SWARM}`
/** agent_status working, agent_output, agent_status idle */
const FRAMES_PER_OUTPUT = 3
const CLIENTS_SCRIPT = fileURLToPath(new URL('./helpers/ws-clients.ts', import.meta.url))

const now = () => performance.timeOrigin + performance.now()

function readSettings(argv = process.argv.slice(2), env = process.env): Settings {
  const pick = (name: string, fallback: number): number => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`))
    const raw = i === -1 ? env[`WS_FANOUT_${name.toUpperCase()}`] : argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1]
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`)
    return value
  }
  const outputs = pick('outputs', 200)
  return {
    clients: pick('clients', 500),
    outputs,
    window: pick('window', 8),
    probes: pick('probes', 100),
    bytes: pick('bytes', 256),
    warmup: Math.min(20, outputs),
  }
}

/** `<index> <sent-at> xxxx…`, `bytes` long: what the agent echoes back. */
function taskText(index: number, bytes: number): string {
  const head = `${index} ${now().toFixed(3)} `
  return head + 'x'.repeat(Math.max(0, bytes - head.length))
}

/** The client process, spoken to in request/answer pairs plus a stream of `delivered` reports. */
class Clients {
  delivered = 0
  readonly #child: ChildProcess
  readonly #answers = new Map<string, (report: ClientsReport) => void>()
  #onDelivered: (() => void) | null = null

  constructor() {
    this.#child = fork(CLIENTS_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.#child.on('message', (report: ClientsReport) => {
      if (report.type === 'delivered') {
        this.delivered = report.index + 1
        const wake = this.#onDelivered
        this.#onDelivered = null
        wake?.()
        return
      }
      const answer = this.#answers.get(report.type)
      this.#answers.delete(report.type)
      answer?.(report)
    })
    this.#child.on('exit', (code) => {
      for (const answer of this.#answers.values()) answer({ type: 'disconnected' })
      if (code) console.error(`ws-clients exited with code ${code}`)
    })
  }

  request<T extends ClientsReport['type']>(msg: ClientsRequest, answer: T): Promise<Extract<ClientsReport, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.#answers.set(answer, (report) => (report.type === answer ? resolve(report as Extract<ClientsReport, { type: T }>) : reject(new Error(`client process gone while waiting for ${answer}`))))
      this.#child.send(msg)
    })
  }

  nextDelivery(): Promise<void> {
    return new Promise((resolve) => {
      this.#onDelivered = resolve
    })
  }

  /** Emits outputs `from`…`from+count-1`, never more than `window` ahead of what every client has. */
  async drive(from: number, count: number, window: number, emit: (index: number) => void): Promise<void> {
    const end = from + count
    for (let i = from; i < end; i++) {
      while (i - this.delivered >= window) await this.nextDelivery()
      emit(i)
    }
    while (this.delivered < end) await this.nextDelivery()
  }

  close(): void {
    if (this.#child.connected) this.#child.disconnect()
  }
}

/**
 * Connects the clients to one server, warms up, then measures twice: latency
 * with one output at a time, and throughput with `window` outputs in flight.
 */
async function measure(clients: Clients, s: Settings, url: string, topic: string | null, emit: (index: number) => void): Promise<SideResult> {
  const framesOf = (outputs: number) => s.clients * FRAMES_PER_OUTPUT * outputs
  const latencies = (l: { p50: number; p99: number; count: number }): Latencies => ({ p50: l.p50, p99: l.p99, samples: l.count })
  clients.delivered = 0
  await clients.request({ type: 'connect', url, clients: s.clients, topic }, 'connected')
  await clients.drive(0, s.warmup, s.window, emit)
  await clients.request({ type: 'settle', frames: framesOf(s.warmup) }, 'settled')

  await clients.drive(s.warmup, s.probes, 1, emit)
  const probed = await clients.request({ type: 'collect', frames: framesOf(s.probes) }, 'stats')

  const cpuBefore = process.cpuUsage()
  const startedAt = now()
  await clients.drive(s.warmup + s.probes, s.outputs, s.window, emit)
  const loaded = await clients.request({ type: 'collect', frames: framesOf(s.outputs) }, 'stats')
  const cpu = process.cpuUsage(cpuBefore)
  await clients.request({ type: 'disconnect' }, 'disconnected')
  return {
    pushesPerSecond: loaded.frames / ((loaded.lastReceivedAt - startedAt) / 1000),
    cpuMicrosPerPush: (cpu.user + cpu.system) / loaded.frames,
    latency: latencies(probed.latencies),
  }
}

async function genswarmsSide(clients: Clients, s: Settings): Promise<SideResult> {
  const dir = mkdtempSync(join(tmpdir(), 'genswarms-bench-'))
  const app = await buildServer({ logger: false, dbPath: join(dir, 'swarms.db'), cwd: dir, apiToken: null })
  try {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as AddressInfo
    await app.swarmManager.start({
      name: SWARM,
      agents: [{ name: AGENT, backend: { type: 'mock', echo: true }, skills: [], config: {} }],
      objects: [],
      topology: [],
    })
    const emit = (i: number) => void app.swarmManager.sendTask(SWARM, AGENT, taskText(i, s.bytes))
    return await measure(clients, s, `ws://127.0.0.1:${port}/swarm/websocket?vsn=2.0.0`, TOPIC, emit)
  } finally {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function plainSide(clients: Clients, s: Settings): Promise<SideResult> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => wss.once('listening', resolve))
  const { port } = wss.address() as AddressInfo
  const broadcast = (event: string, payload: unknown) => {
    const text = JSON.stringify(['1', null, TOPIC, event, payload])
    for (const ws of wss.clients) ws.send(text)
  }
  const emit = (i: number) => {
    // Stamped before the first frame, as the task is on the genswarms side.
    const content = taskText(i, s.bytes)
    broadcast('agent_status', { agent: AGENT, state: 'working' })
    broadcast('agent_output', { agent: AGENT, content })
    broadcast('agent_status', { agent: AGENT, state: 'idle' })
  }
  try {
    return await measure(clients, s, `ws://127.0.0.1:${port}/`, null, emit)
  } finally {
    await new Promise<void>((resolve) => wss.close(() => resolve()))
  }
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits))

export async function runFanout(s: Settings = readSettings()): Promise<BenchResult> {
  const load = loadavg()[0]!
  const clients = new Clients()
  try {
    const genswarms = await genswarmsSide(clients, s)
    const plain = await plainSide(clients, s)
    return {
      title: `${s.clients} clients on one swarm, ${s.outputs} outputs (Phoenix socket vs plain ws broadcast)`,
      metrics: [
        { label: 'genswarms pushes/s', value: Math.round(genswarms.pushesPerSecond), unit: 'pushes/s' },
        { label: 'plain ws pushes/s', value: Math.round(plain.pushesPerSecond), unit: 'pushes/s' },
        { label: 'throughput ratio', value: round(genswarms.pushesPerSecond / plain.pushesPerSecond, 3), unit: 'genswarms / plain' },
        { label: 'genswarms server CPU', value: round(genswarms.cpuMicrosPerPush), unit: 'µs/push' },
        { label: 'plain ws server CPU', value: round(plain.cpuMicrosPerPush), unit: 'µs/push' },
        { label: 'genswarms p50', value: round(genswarms.latency.p50), unit: 'ms' },
        { label: 'genswarms p99', value: round(genswarms.latency.p99), unit: 'ms' },
        { label: 'plain ws p50', value: round(plain.latency.p50), unit: 'ms' },
        { label: 'plain ws p99', value: round(plain.latency.p99), unit: 'ms' },
      ],
      notes: [
        `throughput: ${s.outputs} outputs × ${FRAMES_PER_OUTPUT} frames to ${s.clients} clients, at most ${s.window} outputs in flight; ${s.bytes}-byte output content; ${s.warmup} warm-up outputs first`,
        `latency: task sent (plain: frame broadcast) → agent_output parsed by a client, ${s.probes} outputs one at a time, ${genswarms.latency.samples} samples per side`,
        `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${load.toFixed(2)} at start; clients in a child process`,
      ],
    }
  } finally {
    clients.close()
  }
}

const bench: Bench = { name: 'ws-fanout', run: () => runFanout() }
export default bench

await runIfMain(import.meta, bench)
