// Child process of the WebSocket fan-out benchmark: holds the N client
// connections, so the server under test has its own core. It counts the
// agent_output pushes only: each is parsed and carries `<index> <emitted-at ms> ...`,
// one latency sample per client. Other frames (agent_status, heartbeat
// replies) are recognised without being parsed: this process stands in for
// N machines, and its own CPU is not what the benchmark measures.
// The parent drives it over IPC (see ClientsRequest / ClientsReport).
import { performance } from 'node:perf_hooks'
import { WebSocket } from 'ws'

export type ClientsRequest =
  | { type: 'connect'; url: string; clients: number; /** phoenix topic to join, or null for a plain broadcast server */ topic: string | null }
  /** wait until `frames` agent_output pushes arrived since the last reset, then reset the counters */
  | { type: 'settle'; frames: number }
  /**
   * wait until `frames` agent_output pushes arrived since the last reset, then reset and
   * report; with `pool`, the latency samples join that pool and the report
   * covers every sample pooled under that name so far
   */
  | { type: 'collect'; frames: number; pool?: string }
  | { type: 'disconnect' }

export type ClientsReport =
  | { type: 'connected' }
  | { type: 'settled' }
  /** the output with this index has reached every client */
  | { type: 'delivered'; index: number }
  | { type: 'stats'; frames: number; lastReceivedAt: number; latencies: { count: number; p50: number; p99: number; max: number } }
  | { type: 'disconnected' }

/** The phoenix client heartbeats every 30 s; the server closes sockets silent for 60 s. */
const HEARTBEAT_MS = 30_000

const now = () => performance.timeOrigin + performance.now()
const report = (msg: ClientsReport) => process.send!(msg)

let sockets: WebSocket[] = []
let heartbeat: NodeJS.Timeout | undefined
let clientCount = 0
let frames = 0
let lastReceivedAt = 0
let latencies: number[] = []
const pools = new Map<string, number[]>()
/** per output index: how many clients have it */
let reached = new Map<number, number>()
let waiting: { frames: number; then: () => void } | null = null

const OUTPUT_EVENT = ',"agent_output",'

function onFrame(text: string): void {
  if (!text.includes(OUTPUT_EVENT)) return
  const [, , , event, payload] = JSON.parse(text) as [string | null, string | null, string, string, { content?: string }]
  if (event !== 'agent_output') return
  const receivedAt = now()
  frames += 1
  lastReceivedAt = receivedAt
  if (event === 'agent_output' && typeof payload.content === 'string') {
    const [indexText, emittedText] = payload.content.split(' ', 2)
    const index = Number(indexText)
    latencies.push(receivedAt - Number(emittedText))
    const count = (reached.get(index) ?? 0) + 1
    if (count === clientCount) {
      reached.delete(index)
      report({ type: 'delivered', index })
    } else {
      reached.set(index, count)
    }
  }
  if (waiting && frames >= waiting.frames) {
    const { then } = waiting
    waiting = null
    then()
  }
}

function whenFrames(count: number, then: () => void): void {
  if (frames >= count) then()
  else waiting = { frames: count, then }
}

function reset(): void {
  frames = 0
  latencies = []
  reached = new Map()
}

function open(url: string, topic: string | null, ref: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.once('error', reject)
    ws.once('open', () => {
      if (topic === null) {
        ws.on('message', (data) => onFrame(data.toString()))
        resolve(ws)
        return
      }
      ws.once('message', (data) => {
        const [, , , , reply] = JSON.parse(data.toString()) as [unknown, unknown, unknown, unknown, { status: string }]
        if (reply.status !== 'ok') return reject(new Error(`join refused: ${data.toString()}`))
        ws.on('message', (frame) => onFrame(frame.toString()))
        resolve(ws)
      })
      ws.send(JSON.stringify([ref, ref, topic, 'phx_join', {}]))
    })
  })
}

async function connect(url: string, clients: number, topic: string | null): Promise<void> {
  clientCount = clients
  reset()
  // In batches, so the accept queue of the server under test never overflows.
  for (let i = 0; i < clients; i += 50) {
    const batch = Array.from({ length: Math.min(50, clients - i) }, (_, j) => open(url, topic, String(i + j + 1)))
    sockets.push(...(await Promise.all(batch)))
  }
  if (topic !== null) {
    heartbeat = setInterval(() => {
      for (const ws of sockets) ws.send(JSON.stringify([null, 'hb', 'phoenix', 'heartbeat', {}]))
    }, HEARTBEAT_MS)
  }
  reset()
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

async function disconnect(): Promise<void> {
  clearInterval(heartbeat)
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve()
          ws.once('close', () => resolve())
          ws.close()
        }),
    ),
  )
  sockets = []
}

process.on('message', (msg: ClientsRequest) => {
  switch (msg.type) {
    case 'connect':
      connect(msg.url, msg.clients, msg.topic).then(
        () => report({ type: 'connected' }),
        (err: Error) => {
          console.error(`ws-clients: connect failed: ${err.message}`)
          process.exit(1)
        },
      )
      break
    case 'settle':
      whenFrames(msg.frames, () => {
        reset()
        report({ type: 'settled' })
      })
      break
    case 'collect':
      whenFrames(msg.frames, () => {
        const samples = msg.pool === undefined ? latencies : [...(pools.get(msg.pool) ?? []), ...latencies]
        if (msg.pool !== undefined) pools.set(msg.pool, samples)
        const values = Array.from(Float64Array.from(samples).sort())
        report({
          type: 'stats',
          frames,
          lastReceivedAt,
          latencies: { count: values.length, p50: percentile(values, 50), p99: percentile(values, 99), max: values.at(-1) ?? NaN },
        })
        reset()
      })
      break
    case 'disconnect':
      void disconnect().then(() => report({ type: 'disconnected' }))
      break
  }
})

process.on('disconnect', () => process.exit(0))
