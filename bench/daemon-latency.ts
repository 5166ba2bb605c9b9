/**
 * Daemon swarm latency: a phoenix client's `send_task` → the `agent_output`
 * push, for a swarm run by a daemon process beside the server, against the
 * same swarm run inside the server.
 *
 * The real server listens on loopback with a temp database; the official
 * phoenix client joins the swarm's topic. The swarm is one echo mock agent.
 * "in process": started over REST in the server. "daemon": a separate
 * process runs the real daemon loop (bench/helpers/daemon-swarm.ts), so a
 * task goes server → task queue → daemon → its events → relay → socket.
 * Tasks are paced (one at a time, a short random pause between them);
 * latency = the push received − the push sent. Three rounds, the two modes
 * interleaved in each; the figures are the medians over the rounds.
 *
 *   node --import tsx bench/daemon-latency.ts   (DAEMON_BENCH_TASKS=300, DAEMON_BENCH_ROUNDS=3)
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Socket, type Channel } from 'phoenix'
import { WebSocket } from 'ws'
import { buildServer } from '../app.js'
import { runIfMain, type Bench, type BenchResult, type Metric } from './run.js'

const DAEMON = fileURLToPath(new URL('./helpers/daemon-swarm.ts', import.meta.url))
const TASKS = Number(process.env.DAEMON_BENCH_TASKS ?? 300)
const ROUNDS = Number(process.env.DAEMON_BENCH_ROUNDS ?? 3)
const SWARM = 'latency'
const CONFIG = { name: SWARM, agents: [{ name: 'echo', backend: { type: 'mock', echo: true }, skills: [], config: {} }], objects: [], topology: [] }

type Mode = 'in process' | 'daemon'

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5)

async function measure(mode: Mode): Promise<{ p50: number; p95: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'genswarms-daemon-bench-'))
  const dbPath = join(dir, 'swarms.db')
  const configPath = join(dir, 'latency.json')
  writeFileSync(configPath, JSON.stringify(CONFIG))
  const app = await buildServer({ logger: false, dbPath, cwd: dir, apiToken: null })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  let daemon: ChildProcess | null = null
  const socket = new Socket(`ws://127.0.0.1:${port}/swarm`, {
    transport: WebSocket as unknown as typeof globalThis.WebSocket,
    reconnectAfterMs: () => 60_000,
    rejoinAfterMs: () => 60_000,
  })
  try {
    if (mode === 'daemon') daemon = await startDaemonProcess(configPath, dbPath)
    else {
      const res = await app.inject({ method: 'POST', url: '/api/swarms', payload: { config_path: configPath } })
      if (res.statusCode !== 201) throw new Error(`start: ${res.statusCode} ${res.body}`)
    }
    socket.connect()
    const channel = socket.channel(`swarm:${SWARM}`, {})
    let waiting: ((content: string) => void) | null = null
    channel.on('agent_output', (p: { content: string }) => waiting?.(p.content))
    await reply(channel.join())
    const latencies: number[] = []
    // A few unmeasured tasks first: module loading, JIT, the first WAL growth.
    for (let i = -20; i < TASKS; i++) {
      const text = `task ${i}`
      const got = new Promise<void>((resolve) => {
        waiting = (content) => {
          if (content === text) resolve()
        }
      })
      const sent = performance.now()
      await reply(channel.push('send_task', { agent: 'echo', task: text }))
      await got
      if (i >= 0) latencies.push(performance.now() - sent)
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 8))
    }
    latencies.sort((a, b) => a - b)
    return { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) }
  } finally {
    socket.disconnect()
    if (daemon) await stopProcess(daemon)
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function startDaemonProcess(configPath: string, dbPath: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', DAEMON, configPath, dbPath], { stdio: ['ignore', 'pipe', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`daemon exited with code ${code}`)))
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child)
    })
  })
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.removeAllListeners('exit')
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

function reply(push: ReturnType<Channel['push']>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    push.receive('ok', resolve).receive('error', (e: unknown) => reject(new Error(JSON.stringify(e)))).receive('timeout', () => reject(new Error('timeout')))
  })
}

const bench: Bench = {
  name: 'daemon-latency',
  async run(): Promise<BenchResult> {
    const rounds: Record<Mode, { p50: number; p95: number }[]> = { 'in process': [], daemon: [] }
    for (let r = 0; r < ROUNDS; r++) {
      // Interleaved, and in alternating order, so machine noise falls on both.
      const order: Mode[] = r % 2 === 0 ? ['in process', 'daemon'] : ['daemon', 'in process']
      for (const mode of order) rounds[mode].push(await measure(mode))
    }
    const fig = (mode: Mode, k: 'p50' | 'p95') => median(rounds[mode].map((x) => x[k]))
    const ratio = fig('daemon', 'p50') / fig('in process', 'p50')
    const metrics: Metric[] = [
      { label: 'in process: p50', value: fig('in process', 'p50'), unit: 'ms' },
      { label: 'in process: p95', value: fig('in process', 'p95'), unit: 'ms' },
      { label: 'daemon: p50', value: fig('daemon', 'p50'), unit: 'ms' },
      { label: 'daemon: p95', value: fig('daemon', 'p95'), unit: 'ms' },
      { label: 'daemon / in process (p50)', value: ratio, unit: '×' },
    ]
    const met = ratio <= 3 && fig('daemon', 'p50') < 10
    return {
      title: 'socket send_task → agent_output push, daemon swarm vs the same swarm in the server',
      metrics,
      notes: [
        `${TASKS} paced tasks per run (one at a time, 2–10 ms apart), one echo mock agent; median of ${ROUNDS} interleaved rounds`,
        `goal: daemon p50 ≤ 3× in process and under 10 ms — ${met ? 'met' : 'NOT met'}`,
        `rounds (p50 ms): in process ${rounds['in process'].map((x) => x.p50.toFixed(2)).join(', ')}; daemon ${rounds.daemon.map((x) => x.p50.toFixed(2)).join(', ')}`,
      ],
    }
  },
}

export default bench
await runIfMain(import.meta, bench)
