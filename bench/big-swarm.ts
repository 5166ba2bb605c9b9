/**
 * Big swarms, each scenario in a fresh child process so its RSS is its own:
 *
 * - a 1,000-agent full mesh started with `POST /api/swarms` on the real
 *   server, written two ways: `[["*", "*"]]` (the symbolic form) and the
 *   999,000 edges spelled out. Start time, RSS growth (after a GC), the
 *   stored config row, the size and time of `GET /api/swarms/:name`, the
 *   time of `GET /api/swarms`, and whether a1 → a999 is routed.
 * - 10,000 mock agents started with `POST /api/swarms`: start time, the
 *   longest event-loop block while it starts (a 5 ms timer's drift, and
 *   `monitorEventLoopDelay`), and how many `GET /api/swarms` answered while
 *   it started (one request at a time, from the same process).
 *
 *   node --import tsx bench/big-swarm.ts [--agents 1000] [--many 10000]
 */
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { buildServer } from '../app.js'
import { runIfMain, type Bench, type BenchResult, type Metric } from './run.js'

type Scenario = 'mesh-symbolic' | 'mesh-explicit' | 'many'
type Figures = Record<string, number>

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`)
  return at >= 0 ? Number(process.argv[at + 1]) : fallback
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const rssMb = () => {
  gc()
  return process.memoryUsage().rss / 1024 / 1024
}

function agents(n: number) {
  return Array.from({ length: n }, (_, i) => ({ name: `a${i + 1}`, backend: { type: 'mock', echo: true } }))
}

async function server() {
  const dir = mkdtempSync(join(tmpdir(), 'gs-big-'))
  const app = await buildServer({ logger: false, dbPath: join(dir, 'swarms.db'), cwd: dir, apiToken: null, bodyLimit: 256 * 1024 * 1024 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  return { app, url, close: async () => { await app.close(); rmSync(dir, { recursive: true, force: true }) } }
}

async function post(url: string, body: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  if (res.status !== 201) throw new Error(`start answered ${res.status}: ${(await res.text()).slice(0, 300)}`)
}

async function timedGet(url: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now()
  const res = await fetch(url)
  const text = await res.text()
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`)
  return { ms: performance.now() - t0, bytes: Buffer.byteLength(text) }
}

async function mesh(explicit: boolean, n: number): Promise<Figures> {
  const { app, url, close } = await server()
  try {
    const topology = explicit ? agents(n).flatMap((a) => agents(n).filter((b) => b.name !== a.name).map((b) => [a.name, b.name])) : [['*', '*']]
    const body = JSON.stringify({ config: { name: 'mesh', agents: agents(n), topology } })
    const before = rssMb()
    const t0 = performance.now()
    await post(`${url}/api/swarms`, body)
    const startMs = performance.now() - t0
    const rss = rssMb() - before
    const row = app.engine.database.sqlite.prepare('SELECT length(config) AS n FROM swarms WHERE name = ?').get('mesh') as { n: number }
    const status = await timedGet(`${url}/api/swarms/mesh`)
    const list = await timedGet(`${url}/api/swarms`)
    const route = await fetch(`${url}/api/swarms/mesh/message`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: 'a1', to: `a${n}`, content: 'hi' }) })
    return { startMs, rss, configBytes: row.n, statusBytes: status.bytes, statusMs: status.ms, listMs: list.ms, routed: route.status === 200 ? 1 : 0, bodyBytes: body.length }
  } finally {
    await close()
  }
}

async function many(n: number): Promise<Figures> {
  const { url, close } = await server()
  try {
    // A server that has started a swarm before: the first start of a process also compiles the code it runs.
    await post(`${url}/api/swarms`, JSON.stringify({ config: { name: 'warmup', agents: agents(200) } }))
    await fetch(`${url}/api/swarms/warmup`, { method: 'DELETE' })
    const body = JSON.stringify({ config: { name: 'many', agents: agents(n) } })
    const histogram = monitorEventLoopDelay({ resolution: 5 })
    let worstGap = 0
    let last = performance.now()
    const sampler = setInterval(() => {
      const now = performance.now()
      worstGap = Math.max(worstGap, now - last)
      last = now
    }, 5)
    let answered = 0
    let starting = true
    const pinger = (async () => {
      while (starting) {
        await timedGet(`${url}/api/swarms`)
        if (starting) answered++
      }
    })()
    histogram.enable()
    const t0 = performance.now()
    await post(`${url}/api/swarms`, body)
    const startMs = performance.now() - t0
    starting = false
    histogram.disable()
    clearInterval(sampler)
    await pinger
    return { startMs, worstGap, maxDelay: histogram.max / 1e6, answered }
  } finally {
    await close()
  }
}

function inChild(scenario: Scenario, n: number): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--scenario', scenario, '--n', String(n)], { execArgv: ['--import', 'tsx', '--max-old-space-size=4096'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    child.once('message', (msg) => resolve(msg as Figures))
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`${scenario} exited with ${code}`))))
  })
}

const bench: Bench = {
  name: 'big-swarm',
  async run(): Promise<BenchResult> {
    const n = arg('agents', 1000)
    const m = arg('many', 10_000)
    const metrics: Metric[] = []
    const notes: string[] = []
    for (const [scenario, label] of [['mesh-symbolic', '[["*","*"]]'], ['mesh-explicit', 'edges spelled out']] as const) {
      const f = await inChild(scenario, n).catch((err: Error) => {
        notes.push(`${label}: ${err.message}`)
        return null
      })
      if (!f) continue
      metrics.push(
        { label: `${n}-agent mesh, ${label}: start`, value: Math.round(f.startMs!), unit: 'ms (goal < 1000)' },
        { label: '  RSS growth', value: Math.round(f.rss!), unit: 'MB (goal < 100)' },
        { label: '  request body', value: Math.round(f.bodyBytes! / 1024), unit: 'KiB' },
        { label: '  stored config row', value: Math.round(f.configBytes! / 1024), unit: 'KiB' },
        { label: '  GET status', value: Math.round(f.statusBytes! / 1024), unit: 'KiB' },
        { label: '  GET status time', value: f.statusMs!, unit: 'ms' },
        { label: '  GET /api/swarms time', value: f.listMs!, unit: 'ms' },
        { label: `  a1 → a${n} routed`, value: f.routed!, unit: '(1 = yes)' },
      )
    }
    const f = await inChild('many', m)
    metrics.push(
      { label: `${m} mock agents: start`, value: Math.round(f.startMs!), unit: 'ms (goal < 500)' },
      { label: '  longest event-loop block (timer drift)', value: f.worstGap!, unit: 'ms (goal <= 50)' },
      { label: '  max event-loop delay (histogram)', value: f.maxDelay!, unit: 'ms' },
      { label: '  GET /api/swarms answered during start', value: f.answered!, unit: 'requests' },
    )
    notes.push('each scenario in a fresh child process; RSS measured after a full GC before and after the start')
    notes.push(`the ${m}-agent start follows a 200-agent warm-up start in the same process`)
    notes.push(`load average when done: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores (a shared machine stretches every time here)`)
    return { title: 'big swarms: a 1,000-agent full mesh and 10,000 mock agents', metrics, notes }
  },
}

export default bench

const at = process.argv.indexOf('--scenario')
if (at >= 0 && process.send) {
  const scenario = process.argv[at + 1] as Scenario
  const n = arg('n', 1000)
  const figures = scenario === 'many' ? await many(n) : await mesh(scenario === 'mesh-explicit', n)
  process.send(figures, () => process.exit(0))
} else {
  await runIfMain(import.meta, bench)
}
