/**
 * EventRelay latency: how long an event a daemon writes takes to reach a
 * WebSocket client joined to its swarm, and what the relay costs while
 * nothing happens.
 *
 * The real server listens on loopback with a temp database; the official
 * phoenix client joins `swarm:bench` and subscribes to events. A child
 * process (bench/helpers/event-writer.ts) stands in for a daemon: it writes
 * one event at a time with a random 20–60 ms pause, each carrying the moment
 * it was written. Latency = push received − written (both processes read the
 * same clock). Idle CPU is this process's CPU time over a quiet window,
 * with the client joined and nothing written.
 *
 * Each relay configuration gets a fresh server and database:
 *   - default: woken by the WAL file changing, polling every 250 ms as a fallback
 *   - poll 25 ms: no file watch, a query every 25 ms
 *   - poll 250 ms: no file watch (what a file system without change notification gets)
 *   - poll 500 ms: the original Elixir relay's interval
 * and "relay off" gives the idle baseline of the same server.
 *
 *   node --import tsx bench/relay-latency.ts   (RELAY_BENCH_EVENTS=200, RELAY_BENCH_IDLE_MS=5000)
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Socket, type Channel } from 'phoenix'
import { WebSocket } from 'ws'
import { buildServer } from '../app.js'
import type { GenswarmsOptions } from '../lib/options.js'
import { runIfMain, type Bench, type BenchResult, type Metric } from './run.js'

const WRITER = fileURLToPath(new URL('./helpers/event-writer.ts', import.meta.url))
const EVENTS = Number(process.env.RELAY_BENCH_EVENTS ?? 200)
const IDLE_MS = Number(process.env.RELAY_BENCH_IDLE_MS ?? 5000)
const SWARM = 'bench'

interface Mode {
  label: string
  relay: GenswarmsOptions['relay']
}

const MODES: Mode[] = [
  { label: 'default (WAL watch + 250 ms poll)', relay: { intervalMs: 250 } },
  { label: 'poll 25 ms, no watch', relay: { intervalMs: 25, watch: false } },
  { label: 'poll 250 ms, no watch', relay: { intervalMs: 250, watch: false } },
  { label: "poll 500 ms (the original's)", relay: { intervalMs: 500, watch: false } },
]

const now = () => performance.timeOrigin + performance.now()
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN

interface Measured {
  latencies: number[]
  idleCpuPercent: number
}

async function measure(relay: GenswarmsOptions['relay'], events: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'genswarms-relay-bench-'))
  const dbPath = join(dir, 'swarms.db')
  const app = await buildServer({ logger: false, dbPath, cwd: dir, apiToken: null, relay })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  // The daemon's row, so the channel's join finds the swarm in the registry.
  app.registry.register({ name: SWARM, pid: process.pid, config: { name: SWARM, agents: [], objects: [], topology: [] } })
  const socket = new Socket(`ws://127.0.0.1:${port}/swarm`, {
    transport: WebSocket as unknown as typeof globalThis.WebSocket,
    reconnectAfterMs: () => 60_000,
    rejoinAfterMs: () => 60_000,
  })
  socket.connect()
  const latencies: number[] = []
  try {
    const channel = socket.channel(`swarm:${SWARM}`, {})
    channel.on('event', (e: { metadata?: { written_at?: number } }) => {
      if (typeof e.metadata?.written_at === 'number') latencies.push(now() - e.metadata.written_at)
    })
    await reply(channel.join())
    await reply(channel.push('subscribe_events', { filters: {} }))

    const before = process.cpuUsage()
    const started = performance.now()
    await new Promise((r) => setTimeout(r, IDLE_MS))
    const used = process.cpuUsage(before)
    const idleCpuPercent = ((used.user + used.system) / 1000 / (performance.now() - started)) * 100

    if (events > 0) {
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dbPath, SWARM, String(events)], { stdio: ['ignore', 'ignore', 'inherit'] })
        child.on('error', reject)
        child.on('exit', resolve)
      })
      if (code !== 0) throw new Error(`event writer exited with code ${code}`)
      const deadline = Date.now() + 10_000
      while (latencies.length < events && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      if (latencies.length !== events) throw new Error(`received ${latencies.length} of ${events} events`)
    }
    return { latencies: latencies.sort((a, b) => a - b), idleCpuPercent }
  } finally {
    socket.disconnect()
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function reply(push: ReturnType<Channel['push']>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    push.receive('ok', resolve).receive('error', (e: unknown) => reject(new Error(JSON.stringify(e)))).receive('timeout', () => reject(new Error('timeout')))
  })
}

const bench: Bench = {
  name: 'relay-latency',
  async run(): Promise<BenchResult> {
    const metrics: Metric[] = []
    const baseline = await measure(false, 0)
    metrics.push({ label: 'relay off: idle CPU', value: baseline.idleCpuPercent, unit: '% of a core' })
    for (const mode of MODES) {
      const { latencies, idleCpuPercent } = await measure(mode.relay, EVENTS)
      metrics.push(
        { label: `${mode.label}: median`, value: quantile(latencies, 0.5), unit: 'ms' },
        { label: `${mode.label}: p95`, value: quantile(latencies, 0.95), unit: 'ms' },
        { label: `${mode.label}: max`, value: latencies.at(-1)!, unit: 'ms' },
        { label: `${mode.label}: idle CPU`, value: idleCpuPercent, unit: '% of a core' },
      )
    }
    return {
      title: 'daemon event write → phoenix `event` push, and idle cost',
      metrics,
      notes: [
        `${EVENTS} events per configuration from a separate writer process, 20–60 ms apart; idle window ${IDLE_MS} ms`,
        'server and client share this process; latency includes the client decoding the push',
      ],
    }
  },
}

export default bench
await runIfMain(import.meta, bench)
