/**
 * Memory per idle socket: 2,000 WebSocket connections held open against the
 * project's server, each joined to one swarm's topic (`swarm:memory`), against
 * 2,000 idle connections to a bare `ws` server. Each server runs alone in a
 * child process started with --expose-gc (bench/helpers/socket-memory-server.ts);
 * it is warmed with a few connections first, so code loaded and compiled on
 * the first connection is not counted, then its RSS after GC is read before
 * and after the connections open. The clients live in this process.
 *
 * The two sides take turns over 3 rounds (a fresh server each time); the
 * figure per side is the median round, the ratio the median of the rounds'
 * ratios. Goal (issue 13): genswarms ≤ 1.3× raw ws.
 *
 *   node --import tsx bench/socket-memory.ts [--sockets 2000] [--rounds 3]
 */
import { fork, type ChildProcess } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { runIfMain, type Bench, type BenchResult, machineNote } from './run.js'

type Kind = 'genswarms' | 'raw'

const SERVER = fileURLToPath(new URL('./helpers/socket-memory-server.ts', import.meta.url))
const SWARM = 'memory'
const TOPIC = `swarm:${SWARM}`

interface MemoryFigures {
  rss: number
  heapUsed: number
  external: number
}
const WARMUP_SOCKETS = 50
const BATCH = 100
const GOAL = 1.3
const KiB = 1024

function setting(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  const value = i === -1 ? fallback : Number(process.argv[i + 1])
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
  return value
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`memory server exited with code ${code}`))
    child.once('exit', onExit)
    child.once('message', (m) => {
      child.off('exit', onExit)
      resolve(m as T)
    })
  })
}

/** One idle client; on the genswarms side it joins TOPIC and waits for the ok. */
function open(url: string, kind: Kind, ref: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    ws.once('error', reject)
    ws.once('open', () => {
      if (kind === 'raw') return resolve(ws)
      ws.once('message', (data) => {
        const [, , , , reply] = JSON.parse(data.toString()) as [unknown, unknown, unknown, unknown, { status: string }]
        if (reply.status === 'ok') resolve(ws)
        else reject(new Error(`join refused: ${data.toString()}`))
      })
      ws.send(JSON.stringify([ref, ref, TOPIC, 'phx_join', {}]))
    })
  })
}

async function openMany(url: string, kind: Kind, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = []
  for (let i = 0; i < count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => open(url, kind, String(i + j + 1)))
    sockets.push(...(await Promise.all(batch)))
  }
  return sockets
}

async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve()
    ws.once('close', () => resolve())
    ws.terminate()
  })))
}

interface Sample {
  rssPerSocket: number
  heapPerSocket: number
}

async function measure(kind: Kind, sockets: number): Promise<Sample> {
  const child = fork(SERVER, [kind, SWARM], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const clients: WebSocket[] = []
  try {
    const { url } = await nextMessage<{ url: string }>(child)
    await closeAll(await openMany(url, kind, WARMUP_SOCKETS))
    child.send('measure')
    const before = await nextMessage<MemoryFigures>(child)
    clients.push(...(await openMany(url, kind, sockets)))
    child.send('measure')
    const after = await nextMessage<MemoryFigures>(child)
    return { rssPerSocket: (after.rss - before.rss) / sockets, heapPerSocket: (after.heapUsed - before.heapUsed) / sockets }
  } finally {
    await closeAll(clients)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    if (child.connected) child.disconnect()
    await exited
  }
}

export async function runSocketMemory(sockets = setting('sockets', 2000), rounds = setting('rounds', 3)): Promise<BenchResult> {
  const load = loadavg()[0]!
  const samples: Record<Kind, Sample[]> = { genswarms: [], raw: [] }
  for (let r = 0; r < rounds; r++) {
    const order: Kind[] = r % 2 === 0 ? ['genswarms', 'raw'] : ['raw', 'genswarms']
    for (const kind of order) samples[kind].push(await measure(kind, sockets))
  }
  const rss = (k: Kind) => median(samples[k].map((s) => s.rssPerSocket)) / KiB
  const heap = (k: Kind) => median(samples[k].map((s) => s.heapPerSocket)) / KiB
  const ratios = samples.genswarms.map((g, i) => g.rssPerSocket / samples.raw[i]!.rssPerSocket)
  const ratio = median(ratios)
  const round = (n: number) => Number(n.toFixed(2))
  return {
    title: `RSS per idle socket at ${sockets} sockets (joined to one swarm vs bare ws)`,
    metrics: [
      { label: 'genswarms RSS', value: round(rss('genswarms')), unit: 'KiB/socket' },
      { label: 'raw ws RSS', value: round(rss('raw')), unit: 'KiB/socket' },
      { label: 'ratio', value: round(ratio), unit: `genswarms / raw (goal ≤ ${GOAL}: ${ratio <= GOAL ? 'met' : 'NOT met'})` },
      { label: 'genswarms heap', value: round(heap('genswarms')), unit: 'KiB/socket' },
      { label: 'raw ws heap', value: round(heap('raw')), unit: 'KiB/socket' },
    ],
    notes: [
      `server alone in a child process with --expose-gc, RSS after GC before and after the sockets open; ${WARMUP_SOCKETS} warm-up sockets first`,
      `${rounds} rounds, sides alternating, a fresh server each; medians; ratio per round: ${ratios.map((x) => x.toFixed(2)).join(', ')}`,
      machineNote(load),
    ],
  }
}

const bench: Bench = { name: 'socket-memory', run: () => runSocketMemory() }
export default bench

await runIfMain(import.meta, bench)
