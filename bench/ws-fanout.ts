/**
 * WebSocket fan-out: N raw V2 clients joined to `swarm:fanout` on the real
 * server, and a mock agent with `echo: true` answering M tasks sent through
 * `swarmManager.sendTask`, so every output takes the whole engine path
 * (agent → spine → PubSub → channel → socket). Each task text starts with
 * its index and the moment it was sent; the echo brings it back in the
 * agent_output push, and each client takes one latency sample per output.
 *
 * In the same run, a plain `ws` server broadcasts one frame per output (the
 * agent_output frame, encoded once) to the same N clients: the floor the
 * Phoenix layer is compared with (issue 13: agent_output pushes/s ≥ 0.8× of
 * it). The genswarms side also pushes the two agent_status frames of each
 * task (working, idle), which the WebSocket API documents; only agent_output
 * pushes are counted, on both sides. The clients live in a child process (bench/helpers/ws-clients.ts)
 * so the server has a core to itself.
 *
 * Latency is measured with one output in flight (the path itself), then
 * throughput with `window` outputs in flight: enough to keep server and
 * clients busy at once, bounded so no backlog grows without limit. With more
 * than one in flight, the genswarms side's latency would also count the wait
 * in the agent's inbox, which the plain side has no equivalent of. The two
 * sides take turns over a few rounds, so a change in machine load (other
 * work on a shared box) does not land on one side only.
 *
 *   node --import tsx bench/ws-fanout.ts [--clients 500] [--outputs 300] [--window 8] [--probes 150] [--bytes 256] [--rounds 3]
 *   (or WS_FANOUT_CLIENTS, WS_FANOUT_OUTPUTS, … WS_FANOUT_ROUNDS)
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { WebSocketServer } from 'ws'
import { buildServer } from '../app.js'
import type { ClientsReport, ClientsRequest } from './helpers/ws-clients.js'
import { runIfMain, type Bench, type BenchResult, machineNote } from './run.js'

interface Settings {
  clients: number
  /** outputs of the throughput phases, over all rounds */
  outputs: number
  /** outputs in flight during a throughput phase */
  window: number
  /** outputs of the latency phases, sent one at a time, over all rounds */
  probes: number
  bytes: number
  /** the two sides take turns this many times, so a change in machine load hits both */
  rounds: number
  /** outputs at the start of each round that are not measured */
  warmup: number
}

interface Latencies {
  p50: number
  p99: number
  samples: number
}

/** One server under test, as the clients and the driver see it. */
interface Side {
  name: 'genswarms' | 'plain ws'
  url: string
  /** the phoenix topic to join, or null when the server just broadcasts */
  topic: string | null
  emit(index: number): void
  close(): Promise<void>
}

interface Totals {
  frames: number
  seconds: number
  cpuMicros: number
  /** pushes per second of each round */
  rates: number[]
  /** over every latency sample of every round */
  latency: Latencies
}

const SWARM = 'fanout'
const AGENT = 'speaker'
const TOPIC = `swarm:${SWARM}`
/** issue 13: genswarms agent_output pushes/s at least this share of the plain broadcast */
const GOAL = 0.8
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
  const settings = {
    clients: pick('clients', 500),
    outputs: pick('outputs', 300),
    window: pick('window', 8),
    probes: pick('probes', 150),
    bytes: pick('bytes', 256),
    rounds: pick('rounds', 3),
    warmup: 20,
  }
  if (settings.outputs < settings.rounds) throw new Error(`--outputs (${settings.outputs}) must be at least --rounds (${settings.rounds})`)
  return settings
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

/** Round `r` gets its share of `total`, the first rounds one more when it does not divide evenly. */
const share = (total: number, rounds: number, r: number) => Math.floor(total / rounds) + (r < total % rounds ? 1 : 0)

/**
 * One round of one side: connect the clients, warm up, measure latency with
 * one output at a time, then throughput with `window` outputs in flight.
 */
async function runRound(clients: Clients, s: Settings, side: Side, probes: number, outputs: number, totals: Totals): Promise<void> {
  const framesOf = (n: number) => s.clients * n
  const emit = (i: number) => side.emit(i)
  clients.delivered = 0
  await clients.request({ type: 'connect', url: side.url, clients: s.clients, topic: side.topic }, 'connected')
  await clients.drive(0, s.warmup, s.window, emit)
  await clients.request({ type: 'settle', frames: framesOf(s.warmup) }, 'settled')

  if (probes > 0) {
    await clients.drive(s.warmup, probes, 1, emit)
    const probed = await clients.request({ type: 'collect', frames: framesOf(probes), pool: side.name }, 'stats')
    totals.latency = { p50: probed.latencies.p50, p99: probed.latencies.p99, samples: probed.latencies.count }
  }

  const cpuBefore = process.cpuUsage()
  const startedAt = now()
  await clients.drive(s.warmup + probes, outputs, s.window, emit)
  const loaded = await clients.request({ type: 'collect', frames: framesOf(outputs) }, 'stats')
  const cpu = process.cpuUsage(cpuBefore)
  const seconds = (loaded.lastReceivedAt - startedAt) / 1000
  totals.frames += loaded.frames
  totals.seconds += seconds
  totals.cpuMicros += cpu.user + cpu.system
  totals.rates.push(loaded.frames / seconds)
  await clients.request({ type: 'disconnect' }, 'disconnected')
}

async function startGenswarms(s: Settings): Promise<Side> {
  const dir = mkdtempSync(join(tmpdir(), 'genswarms-bench-'))
  const app = await buildServer({ logger: false, dbPath: join(dir, 'swarms.db'), cwd: dir, apiToken: null })
  const close = async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await app.listen({ port: 0, host: '127.0.0.1' })
    await app.swarmManager.start({
      name: SWARM,
      agents: [{ name: AGENT, backend: { type: 'mock', echo: true }, skills: [], config: {} }],
      objects: [],
      topology: [],
    })
  } catch (err) {
    await close()
    throw err
  }
  const { port } = app.server.address() as AddressInfo
  return {
    name: 'genswarms',
    url: `ws://127.0.0.1:${port}/swarm/websocket?vsn=2.0.0`,
    topic: TOPIC,
    emit: (i) => void app.swarmManager.sendTask(SWARM, AGENT, taskText(i, s.bytes)),
    close,
  }
}

async function startPlain(s: Settings): Promise<Side> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => wss.once('listening', resolve))
  const { port } = wss.address() as AddressInfo
  const broadcast = (event: string, payload: unknown) => {
    const text = JSON.stringify(['1', null, TOPIC, event, payload])
    for (const ws of wss.clients) ws.send(text)
  }
  return {
    name: 'plain ws',
    url: `ws://127.0.0.1:${port}/`,
    topic: null,
    emit: (i) => {
      broadcast('agent_output', { agent: AGENT, content: taskText(i, s.bytes) })
    },
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  }
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits))

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export async function runFanout(s: Settings = readSettings()): Promise<BenchResult> {
  const load = loadavg()[0]!
  const clients = new Clients()
  const sides: Side[] = []
  try {
    sides.push(await startGenswarms(s), await startPlain(s))
    const totals = new Map<Side, Totals>(sides.map((side) => [side, { frames: 0, seconds: 0, cpuMicros: 0, rates: [], latency: { p50: NaN, p99: NaN, samples: 0 } }]))
    for (let r = 0; r < s.rounds; r++) {
      const order = r % 2 === 0 ? sides : [...sides].reverse()
      for (const side of order) await runRound(clients, s, side, share(s.probes, s.rounds, r), share(s.outputs, s.rounds, r), totals.get(side)!)
    }
    const [g, p] = sides.map((side) => totals.get(side)!) as [Totals, Totals]
    const ratios = g.rates.map((x, i) => x / p.rates[i]!)
    const ratio = median(ratios)
    return {
      title: `${s.clients} clients on one swarm, ${s.outputs} outputs (Phoenix socket vs plain ws broadcast)`,
      metrics: [
        { label: 'genswarms agent_output/s', value: Math.round(median(g.rates)), unit: 'pushes/s received, median round' },
        { label: 'plain ws agent_output/s', value: Math.round(median(p.rates)), unit: 'pushes/s received, median round' },
        { label: 'throughput ratio', value: round(ratio, 3), unit: `genswarms / plain, median round (goal ≥ ${GOAL}: ${ratio >= GOAL ? 'met' : 'NOT met'})` },
        { label: 'genswarms server CPU', value: round(g.cpuMicros / g.frames), unit: "µs/agent_output push" },
        { label: 'plain ws server CPU', value: round(p.cpuMicros / p.frames), unit: "µs/agent_output push" },
        { label: 'genswarms p50', value: round(g.latency.p50), unit: 'ms' },
        { label: 'genswarms p99', value: round(g.latency.p99), unit: 'ms' },
        { label: 'plain ws p50', value: round(p.latency.p50), unit: 'ms' },
        { label: 'plain ws p99', value: round(p.latency.p99), unit: 'ms' },
      ],
      notes: [
        `throughput: ${s.outputs} outputs to ${s.clients} clients, at most ${s.window} in flight; ${s.bytes}-byte output content; genswarms also pushes agent_status working/idle per output (not counted), plain ws only agent_output`,
        `latency: task sent (plain: frame broadcast) → agent_output parsed by a client, ${s.probes} outputs one at a time, ${g.latency.samples} samples per side`,
        `${s.rounds} rounds, sides alternating, ${s.warmup} warm-up outputs each; ratio per round: ${ratios.map((x) => x.toFixed(2)).join(', ')}`,
        `${machineNote(load)}; clients in a child process`,
      ],
    }
  } finally {
    clients.close()
    for (const side of sides) await side.close()
  }
}

const bench: Bench = { name: 'ws-fanout', run: () => runFanout() }
export default bench

await runIfMain(import.meta, bench)
