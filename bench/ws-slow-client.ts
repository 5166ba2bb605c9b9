/**
 * Slow clients against everyone else. The real server runs in a child
 * process (test/helpers/phoenix-attack-server.ts, shared with the test of the
 * same attack) on a database of large stored events. Well-behaved raw V2
 * clients in this process each make request/reply round trips (`get_status`)
 * one after another; the bench measures them twice in the same run: alone
 * (baseline), then while attackers join, stop reading and pipeline rounds of
 * ten subscribes (reconnecting whenever the server cuts them off). It prints
 * p50/p99 of both phases, how often attackers were cut off, and the server's
 * RSS growth during the attack.
 *
 * Goal: p99 during the attack < 100 ms, RSS growth < 50 MB.
 *
 *   node --import tsx bench/ws-slow-client.ts [--clients 10] [--probes 300] [--attackers 1]
 */
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { runIfMain, type Bench, type BenchResult } from './run.js'

const SERVER = fileURLToPath(new URL('../test/helpers/phoenix-attack-server.ts', import.meta.url))
const TOPIC = 'swarm:big'
const MB = 1024 * 1024

function setting(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  const value = i === -1 ? fallback : Number(process.argv[i + 1])
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
  return value
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN

/** A V2 client that joins TOPIC and answers `call` with the reply's round-trip time. */
async function connect(url: string): Promise<{ ws: WebSocket; call(event: string, payload?: object): Promise<number> }> {
  const ws = new WebSocket(`${url}/websocket?vsn=2.0.0`)
  ws.on('error', () => {})
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('close', reject)
  })
  const pending = new Map<string, () => void>()
  ws.on('message', (data) => {
    const [, ref, , event] = JSON.parse(data.toString()) as [unknown, string | null, string, string]
    if (event === 'phx_reply' && ref !== null) pending.get(ref)?.()
  })
  let next = 0
  const call = (event: string, payload: object = {}) =>
    new Promise<number>((resolve) => {
      const ref = String(++next)
      const start = performance.now()
      pending.set(ref, () => {
        pending.delete(ref)
        resolve(performance.now() - start)
      })
      ws.send(JSON.stringify(['1', ref, event === 'phx_join' ? TOPIC : TOPIC, event, payload]))
    })
  await call('phx_join')
  return { ws, call }
}

/** Joins, stops reading, and sends ten subscribes every few ms until stopped; reconnects when cut off. */
function attacker(url: string): { stop(): void } {
  let stopped = false
  let current: WebSocket | null = null
  const run = async () => {
    while (!stopped) {
      const client = await connect(url).catch(() => null)
      if (!client) continue
      current = client.ws
      ;(client.ws as unknown as { _socket: Socket })._socket.pause()
      const closed = new Promise((resolve) => client.ws.once('close', resolve))
      let ref = 1000
      const flood = setInterval(() => {
        for (let i = 0; i < 10; i++) client.ws.send(JSON.stringify(['1', String(++ref), TOPIC, i % 2 ? 'subscribe_logs' : 'subscribe_events', {}]))
      }, 20)
      await closed
      clearInterval(flood)
    }
  }
  void run()
  return {
    stop() {
      stopped = true
      current?.terminate()
    },
  }
}

const bench: Bench = {
  name: 'ws-slow-client',
  async run(): Promise<BenchResult> {
    const clients = setting('clients', 10)
    const probes = setting('probes', 300)
    const attackers = setting('attackers', 1)
    const dir = mkdtempSync(join(tmpdir(), 'genswarms-bench-'))
    const child = fork(SERVER, [join(dir, 'swarms.db'), '120', String(120 * 1024)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    let cutOff = 0
    const answers: ((m: Record<string, number>) => void)[] = []
    child.on('message', (m: Record<string, number | boolean>) => {
      if (m.slowConsumer) cutOff += 1
      else answers.shift()?.(m as Record<string, number>)
    })
    const ask = (question?: string) =>
      new Promise<Record<string, number>>((resolve) => {
        answers.push(resolve)
        if (question) child.send(question)
      })
    try {
      const { port } = await ask()
      const url = `ws://127.0.0.1:${port}/swarm`
      const good = await Promise.all(Array.from({ length: clients }, () => connect(url)))
      const phase = async () => {
        const samples: number[] = []
        await Promise.all(good.map(async (c) => {
          for (let i = 0; i < probes; i++) samples.push(await c.call('get_status'))
        }))
        return samples.sort((a, b) => a - b)
      }
      await phase() // warm-up
      const baseline = await phase()
      const { rss } = await ask('reset')
      const attacks = Array.from({ length: attackers }, () => attacker(url))
      const underAttack = await phase()
      const { peak, heapTotal, external } = await ask('peak')
      attacks.forEach((a) => a.stop())
      for (const c of good) c.ws.terminate()
      const p99 = quantile(underAttack, 0.99)
      return {
        title: `${clients} clients' get_status round trips, alone and while ${attackers} clients pipeline subscribes and never read`,
        metrics: [
          { label: 'baseline p50', value: quantile(baseline, 0.5), unit: 'ms' },
          { label: 'baseline p99', value: quantile(baseline, 0.99), unit: 'ms' },
          { label: 'attack p50', value: quantile(underAttack, 0.5), unit: 'ms' },
          { label: 'attack p99', value: p99, unit: 'ms' },
          { label: 'attackers cut off', value: cutOff, unit: 'times' },
          { label: 'server RSS growth', value: (peak! - rss!) / MB, unit: 'MB' },
          { label: 'at the peak: heap', value: heapTotal! / MB, unit: 'MB' },
          { label: 'at the peak: external', value: external! / MB, unit: 'MB' },
        ],
        notes: [
          `goal: attack p99 < 100 ms (${p99 < 100 ? 'met' : 'NOT met'}), RSS growth < 50 MB (${(peak! - rss!) / MB < 50 ? 'met' : 'NOT met'})`,
          `${probes} round trips per client per phase; events of 120 KiB stored in the swarm`,
        ],
      }
    } finally {
      child.disconnect()
      child.kill()
      rmSync(dir, { recursive: true, force: true })
    }
  },
}

export default bench
await runIfMain(import.meta, bench)
