/**
 * The in-process send_task path: a socket client sends `send_task` frames and
 * counts the `agent_output` pushes that answer them.
 *
 * - genswarms: the real server (the plugin in a default app, as `genswarms up`
 *   runs it: temp database, buffered event writes, relay on) with echo mock
 *   agents, one swarm of 1 agent and one of 8;
 * - baseline: a minimal Fastify + @fastify/websocket server that answers each
 *   Phoenix-framed send_task with one reply frame and one agent_output push,
 *   which is what a client of ours minimally receives for a task.
 *
 * The same client (bench/helpers/task-client.ts, a raw `ws` client speaking
 * V2 frames, in a child process so the server has a core of its own) drives
 * both. Three phases per side and round: `pipelined` tasks to one agent with
 * at most `window` unanswered; the same round-robin over 8 agents; then
 * `paced` tasks at `rate`/s, each timed from its frame being sent to its
 * agent_output push being parsed. Server CPU per task is this process's CPU
 * time over the one-agent phase divided by its tasks. The sides take turns
 * over `rounds` rounds and each figure is the median over rounds.
 *
 *   node --import tsx bench/task-path.ts [--tasks 10000] [--window 500] [--paced 1000] [--rate 200] [--rounds 3] [--bytes 64]
 *   (or TASK_PATH_TASKS, TASK_PATH_WINDOW, … TASK_PATH_ROUNDS)
 *
 * TASK_PATH_PROFILE=<dir> writes a CPU profile of each genswarms phase (not
 * of startup, nor of the baseline) to that directory, for DevTools or any
 * .cpuprofile reader.
 */
import { fork, type ChildProcess } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Session } from 'node:inspector/promises'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Fastify from 'fastify'
import websocket from '@fastify/websocket'
import { buildServer } from '../app.js'
import type { AgentSpec } from '../lib/config/types.js'
import type { TaskClientReport, TaskClientRequest } from './helpers/task-client.js'
import { runIfMain, type Bench, type BenchResult, machineNote } from './run.js'

interface Settings {
  tasks: number
  window: number
  paced: number
  rate: number
  rounds: number
  bytes: number
  warmup: number
}

interface Side {
  name: 'genswarms' | 'baseline'
  url: string
  /** topic and agents of the one-agent and the eight-agent swarm */
  one: { topic: string; agents: string[] }
  eight: { topic: string; agents: string[] }
  close(): Promise<void>
}

interface RoundFigures {
  oneRate: number
  eightRate: number
  cpuMicrosPerTask: number
  p50: number
  p99: number
}

const CLIENT_SCRIPT = fileURLToPath(new URL('./helpers/task-client.ts', import.meta.url))
const EIGHT = Array.from({ length: 8 }, (_, i) => `echo_${i + 1}`)

function readSettings(argv = process.argv.slice(2), env = process.env): Settings {
  const pick = (name: string, fallback: number): number => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`))
    const raw = i === -1 ? env[`TASK_PATH_${name.toUpperCase()}`] : argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1]
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`)
    return value
  }
  return {
    tasks: pick('tasks', 10_000),
    // Below an agent's inbox limit (1000 tasks), so no task is refused for room.
    window: pick('window', 500),
    paced: pick('paced', 1000),
    rate: pick('rate', 200),
    rounds: pick('rounds', 3),
    bytes: pick('bytes', 64),
    warmup: 500,
  }
}

/** The client process, one request and one answer at a time. */
class Client {
  readonly #child: ChildProcess
  #answer: ((report: TaskClientReport) => void) | null = null

  constructor() {
    this.#child = fork(CLIENT_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.#child.on('message', (report: TaskClientReport) => {
      const answer = this.#answer
      this.#answer = null
      answer?.(report)
    })
    this.#child.on('exit', (code) => this.#answer?.({ type: 'failed', message: `client exited with code ${code}` }))
  }

  request<T extends TaskClientReport['type']>(msg: TaskClientRequest, type: T): Promise<Extract<TaskClientReport, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.#answer = (report) => {
        if (report.type === type) resolve(report as Extract<TaskClientReport, { type: T }>)
        else reject(new Error(report.type === 'failed' ? report.message : `expected ${type}, got ${report.type}`))
      }
      this.#child.send(msg)
    })
  }

  close(): void {
    if (this.#child.connected) this.#child.disconnect()
  }
}

const echoAgent = (name: string): AgentSpec => ({ name, backend: { type: 'mock', echo: true }, skills: [], config: {} })

async function startGenswarms(): Promise<Side> {
  const dir = mkdtempSync(join(tmpdir(), 'genswarms-task-path-'))
  const app = await buildServer({ logger: false, dbPath: join(dir, 'swarms.db'), cwd: dir, apiToken: null })
  const close = async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await app.listen({ port: 0, host: '127.0.0.1' })
    await app.swarmManager.start({ name: 'tp1', agents: [echoAgent('echo')], objects: [], topology: [] })
    await app.swarmManager.start({ name: 'tp8', agents: EIGHT.map(echoAgent), objects: [], topology: [] })
  } catch (err) {
    await close()
    throw err
  }
  const { port } = app.server.address() as AddressInfo
  return {
    name: 'genswarms',
    url: `ws://127.0.0.1:${port}/swarm/websocket?vsn=2.0.0`,
    one: { topic: 'swarm:tp1', agents: ['echo'] },
    eight: { topic: 'swarm:tp8', agents: EIGHT },
    close,
  }
}

/** The floor: Fastify and @fastify/websocket, a JSON parse, a reply frame and a push frame per task. */
async function startBaseline(): Promise<Side> {
  const app = Fastify({ logger: false })
  await app.register(websocket)
  app.register(async (scope) => {
    scope.get('/swarm/websocket', { websocket: true }, (socket) => {
      socket.on('message', (data) => {
        const [joinRef, ref, topic, event, payload] = JSON.parse(data.toString()) as [string, string, string, string, { agent: string; task: string }]
        if (event === 'phx_join') {
          socket.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status: 'ok', response: {} }]))
        } else if (event === 'send_task') {
          socket.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status: 'ok', response: { status: 'sent' } }]))
          socket.send(JSON.stringify([joinRef, null, topic, 'agent_output', { agent: payload.agent, content: payload.task }]))
        }
      })
    })
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return {
    name: 'baseline',
    url: `ws://127.0.0.1:${port}/swarm/websocket?vsn=2.0.0`,
    one: { topic: 'swarm:tp1', agents: ['echo'] },
    eight: { topic: 'swarm:tp8', agents: EIGHT },
    close: () => app.close(),
  }
}

function percentile(values: number[], p: number): number {
  const sorted = Float64Array.from(values).sort()
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

const PROFILE_DIR = process.env.TASK_PATH_PROFILE
let session: Session | null = null

/** Runs `fn` under the CPU profiler when TASK_PATH_PROFILE is set and the side is ours. */
async function profiled<T>(side: Side, label: string, fn: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR || side.name !== 'genswarms') return fn()
  if (!session) {
    session = new Session()
    session.connect()
    await session.post('Profiler.enable')
  }
  await session.post('Profiler.start')
  try {
    return await fn()
  } finally {
    const { profile } = await session.post('Profiler.stop')
    mkdirSync(PROFILE_DIR, { recursive: true })
    writeFileSync(join(PROFILE_DIR, `${label}-${Date.now()}.cpuprofile`), JSON.stringify(profile))
  }
}

const median = (xs: number[]) => percentile(xs, 50)

function checkAll(side: Side, phase: string, report: { outputs: number; refused: number }, expected: number): void {
  if (report.refused > 0 || report.outputs !== expected) {
    throw new Error(`${side.name} ${phase}: ${report.outputs} outputs and ${report.refused} refusals for ${expected} tasks`)
  }
}

async function runRound(client: Client, s: Settings, side: Side): Promise<RoundFigures> {
  await client.request({ type: 'connect', url: side.url, topic: side.one.topic }, 'connected')
  const warm = await client.request({ type: 'pipelined', count: s.warmup, window: s.window, agents: side.one.agents, bytes: s.bytes }, 'pipelined')
  checkAll(side, 'warm-up', warm, s.warmup)
  const cpuBefore = process.cpuUsage()
  const one = await profiled(side, 'one-agent', () => client.request({ type: 'pipelined', count: s.tasks, window: s.window, agents: side.one.agents, bytes: s.bytes }, 'pipelined'))
  const cpu = process.cpuUsage(cpuBefore)
  checkAll(side, 'one agent', one, s.tasks)
  const paced = await client.request({ type: 'paced', count: s.paced, rate: s.rate, agents: side.one.agents, bytes: s.bytes }, 'paced')
  checkAll(side, 'paced', paced, s.paced)
  await client.request({ type: 'disconnect' }, 'disconnected')

  await client.request({ type: 'connect', url: side.url, topic: side.eight.topic }, 'connected')
  const eight = await profiled(side, 'eight-agents', () => client.request({ type: 'pipelined', count: s.tasks, window: s.window, agents: side.eight.agents, bytes: s.bytes }, 'pipelined'))
  checkAll(side, 'eight agents', eight, s.tasks)
  await client.request({ type: 'disconnect' }, 'disconnected')
  return {
    oneRate: one.outputs / one.seconds,
    eightRate: eight.outputs / eight.seconds,
    cpuMicrosPerTask: (cpu.user + cpu.system) / s.tasks,
    p50: percentile(paced.latencies, 50),
    p99: percentile(paced.latencies, 99),
  }
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits))

export async function runTaskPath(s: Settings = readSettings()): Promise<BenchResult> {
  const load = loadavg()[0]!
  const client = new Client()
  const sides: Side[] = []
  try {
    sides.push(await startGenswarms(), await startBaseline())
    const figures = new Map<Side, RoundFigures[]>(sides.map((side) => [side, []]))
    for (let r = 0; r < s.rounds; r++) {
      const order = r % 2 === 0 ? sides : [...sides].reverse()
      for (const side of order) figures.get(side)!.push(await runRound(client, s, side))
    }
    const [g, b] = sides.map((side) => figures.get(side)!) as [RoundFigures[], RoundFigures[]]
    const med = (rounds: RoundFigures[], key: keyof RoundFigures) => median(rounds.map((f) => f[key]))
    const perRound = (key: keyof RoundFigures, invert = false) =>
      g.map((f, i) => (invert ? b[i]![key] / f[key] : f[key] / b[i]![key]).toFixed(2)).join(', ')
    return {
      title: `socket send_task → agent_output, echo mock agents (genswarms vs a minimal Fastify + @fastify/websocket echo)`,
      metrics: [
        { label: 'one agent: genswarms', value: Math.round(med(g, 'oneRate')), unit: 'tasks/s' },
        { label: 'one agent: baseline', value: Math.round(med(b, 'oneRate')), unit: 'tasks/s' },
        { label: 'one agent: ratio', value: round(med(g, 'oneRate') / med(b, 'oneRate'), 3), unit: 'genswarms / baseline (goal ≥ 0.5)' },
        { label: 'server CPU: genswarms', value: round(med(g, 'cpuMicrosPerTask'), 1), unit: 'µs/task' },
        { label: 'server CPU: baseline', value: round(med(b, 'cpuMicrosPerTask'), 1), unit: 'µs/task' },
        { label: '8 agents: genswarms', value: Math.round(med(g, 'eightRate')), unit: 'tasks/s' },
        { label: '8 agents: baseline', value: Math.round(med(b, 'eightRate')), unit: 'tasks/s' },
        { label: '8 agents: ratio', value: round(med(g, 'eightRate') / med(b, 'eightRate'), 3), unit: 'genswarms / baseline (goal ≥ 0.6)' },
        { label: `paced p50: genswarms`, value: round(med(g, 'p50')), unit: 'ms' },
        { label: `paced p50: baseline`, value: round(med(b, 'p50')), unit: 'ms' },
        { label: 'paced p50: ratio', value: round(med(g, 'p50') / med(b, 'p50')), unit: '× baseline (goal ≤ 1.5)' },
        { label: `paced p99: genswarms`, value: round(med(g, 'p99')), unit: 'ms' },
        { label: `paced p99: baseline`, value: round(med(b, 'p99')), unit: 'ms' },
        { label: 'paced p99: ratio', value: round(med(g, 'p99') / med(b, 'p99')), unit: '× baseline (goal ≤ 2)' },
      ],
      notes: [
        `pipelined: ${s.tasks} tasks per phase, at most ${s.window} unanswered, ${s.warmup} warm-up tasks first; paced: ${s.paced} tasks at ${s.rate}/s to one agent; ${s.bytes}-byte tasks`,
        `${s.rounds} rounds, sides alternating, each figure the median over rounds; per round: one agent ${perRound('oneRate')}, 8 agents ${perRound('eightRate')}, p50 ${perRound('p50')}, p99 ${perRound('p99')}`,
        `server CPU is this process's CPU time over the one-agent phase ÷ tasks; the client runs in a child process`,
        machineNote(load),
      ],
    }
  } finally {
    client.close()
    for (const side of sides) await side.close()
  }
}

const bench: Bench = { name: 'task-path', run: () => runTaskPath() }
export default bench

await runIfMain(import.meta, bench)
