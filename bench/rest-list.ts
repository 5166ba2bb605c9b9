/**
 * Busy REST: `GET /api/swarms` (five swarms: three running here, two stopped
 * rows) and `GET /api/swarms/:name` of a running five-agent swarm, in
 * requests/s on the real server, against a bare Fastify route answering the
 * same JSON (captured from ours once) in the same run. The load client is a
 * child process keeping `concurrency` keep-alive GETs in flight, so the
 * server has a core to itself. The sides take turns over the rounds and the
 * median round counts, so a change in machine load hits both.
 *
 *   node --import tsx bench/rest-list.ts [--rounds 3] [--ms 2000] [--concurrency 16]
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import { buildServer } from '../app.js'
import type { SwarmConfig } from '../lib/config/types.js'
import type { LoadReport, LoadRequest } from './helpers/http-load.js'
import { runIfMain, type Bench, type BenchResult } from './run.js'

const LOAD_SCRIPT = fileURLToPath(new URL('./helpers/http-load.ts', import.meta.url))

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`)
  return at >= 0 ? Number(process.argv[at + 1]) : fallback
}

function swarmConfig(name: string): SwarmConfig {
  const agents = ['a', 'b', 'c', 'd', 'e'].map((n) => ({ name: n, backend: { type: 'mock' as const, echo: true }, skills: [], config: {} }))
  return { name, agents, objects: [], topology: [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'd' }, { from: 'd', to: 'e' }] }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

function loadClient(): { run(req: LoadRequest): Promise<LoadReport>; close(): void } {
  const child: ChildProcess = fork(LOAD_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return {
    run: (req) => new Promise((resolve) => {
      child.once('message', (report) => resolve(report as LoadReport))
      child.send(req)
    }),
    close: () => { child.send('exit') },
  }
}

const bench: Bench = {
  name: 'rest-list',
  async run(): Promise<BenchResult> {
    const rounds = arg('rounds', 3)
    const ms = arg('ms', 2000)
    const concurrency = arg('concurrency', 16)
    const dir = mkdtempSync(join(tmpdir(), 'gs-rest-list-'))
    const ours = await buildServer({ logger: false, dbPath: join(dir, 'swarms.db'), cwd: dir, apiToken: null })
    for (const name of ['s1', 's2', 's3', 's4', 's5']) await ours.swarmManager.start(swarmConfig(name))
    for (const name of ['s4', 's5']) await ours.swarmManager.stop(name)
    const oursUrl = await listen(ours)

    const listBody = await (await fetch(`${oursUrl}/api/swarms`)).json()
    const statusBody = await (await fetch(`${oursUrl}/api/swarms/s1`)).json()
    const bare = Fastify({ logger: false })
    bare.get('/api/swarms', async () => listBody)
    bare.get('/api/swarms/s1', async () => statusBody)
    const bareUrl = await listen(bare)

    const client = loadClient()
    const rate = (r: LoadReport) => (r.requests / r.ms) * 1000
    const rows = { list: { ours: [] as number[], bare: [] as number[] }, status: { ours: [] as number[], bare: [] as number[] } }
    try {
      // Warm both servers' JIT before anything counts.
      for (const url of [`${oursUrl}/api/swarms`, `${bareUrl}/api/swarms`, `${oursUrl}/api/swarms/s1`, `${bareUrl}/api/swarms/s1`]) await client.run({ url, concurrency, ms: 300 })
      for (let round = 0; round < rounds; round++) {
        for (const path of ['list', 'status'] as const) {
          const suffix = path === 'list' ? '/api/swarms' : '/api/swarms/s1'
          const sides = round % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const)
          for (const side of sides) {
            const report = await client.run({ url: `${side === 'ours' ? oursUrl : bareUrl}${suffix}`, concurrency, ms })
            if (report.errors > 0) throw new Error(`${side} ${suffix}: ${report.errors} failed requests`)
            rows[path][side].push(rate(report))
          }
        }
      }
    } finally {
      client.close()
      await bare.close()
      await ours.close()
      rmSync(dir, { recursive: true, force: true })
    }
    const ratio = (path: 'list' | 'status') => median(rows[path].ours.map((o, i) => o / rows[path].bare[i]!))
    return {
      title: 'REST list and status, requests/s against a bare Fastify route answering the same JSON',
      metrics: [
        { label: 'GET /api/swarms (5 swarms)', value: Math.round(median(rows.list.ours)), unit: 'req/s' },
        { label: '  bare route, same JSON', value: Math.round(median(rows.list.bare)), unit: 'req/s' },
        { label: '  ratio (goal >= 0.7)', value: ratio('list'), unit: '×' },
        { label: 'GET /api/swarms/:name', value: Math.round(median(rows.status.ours)), unit: 'req/s' },
        { label: '  bare route, same JSON', value: Math.round(median(rows.status.bare)), unit: 'req/s' },
        { label: '  ratio (goal >= 0.8)', value: ratio('status'), unit: '×' },
      ],
      notes: [
        `${rounds} rounds of ${ms} ms per side and path, sides alternating; median of the per-round ratios`,
        `${concurrency} keep-alive requests in flight from a child process; 3 swarms running here, 2 stopped rows`,
      ],
    }
  },
}

export default bench
await runIfMain(import.meta, bench)
