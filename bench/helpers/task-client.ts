// Child process of the task-path benchmark: one raw `ws` client speaking
// Phoenix V2 frames, so the server under test has a core of its own. It joins
// one topic, sends `send_task` frames and counts the `agent_output` pushes
// that come back. Each task's text starts with its index, which the echo
// agent sends back, so every push names the task it answers.
// The parent drives it over IPC (see TaskClientRequest / TaskClientReport).
import { performance } from 'node:perf_hooks'
import { WebSocket } from 'ws'

export type TaskClientRequest =
  | { type: 'connect'; url: string; topic: string }
  /** `count` tasks, never more than `window` unanswered, round-robin over `agents` */
  | { type: 'pipelined'; count: number; window: number; agents: string[]; bytes: number }
  /** `count` tasks at `rate` per second, whatever comes back */
  | { type: 'paced'; count: number; rate: number; agents: string[]; bytes: number }
  | { type: 'disconnect' }

export type TaskClientReport =
  | { type: 'connected' }
  | { type: 'pipelined'; outputs: number; refused: number; seconds: number }
  | { type: 'paced'; outputs: number; refused: number; latencies: number[] }
  | { type: 'disconnected' }
  | { type: 'failed'; message: string }

const now = () => performance.timeOrigin + performance.now()
const report = (msg: TaskClientReport) => process.send!(msg)

let ws: WebSocket | null = null
let topic = ''
let joinRef = '1'
let nextRef = 1
/** when each task was sent, by index */
let sentAt: number[] = []
let outputs = 0
let refused = 0
let latencies: number[] = []
let onOutput: (() => void) | null = null

function onFrame(text: string): void {
  const [, , , event, payload] = JSON.parse(text) as [string | null, string | null, string, string, Record<string, unknown>]
  if (event === 'agent_output') {
    const content = payload.content as string
    const index = Number(content.slice(0, content.indexOf(' ')))
    latencies.push(now() - sentAt[index]!)
    outputs++
    onOutput?.()
  } else if (event === 'phx_reply' && (payload as { status?: string }).status !== 'ok') {
    refused++
    onOutput?.()
  }
}

function taskFrame(index: number, agents: string[], bytes: number): string {
  const head = `${index} `
  const task = head + 'x'.repeat(Math.max(0, bytes - head.length))
  const ref = String(++nextRef)
  return JSON.stringify([joinRef, ref, topic, 'send_task', { agent: agents[index % agents.length], task }])
}

function connect(url: string, joinTopic: string): Promise<void> {
  topic = joinTopic
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.once('error', reject)
    socket.once('open', () => {
      socket.once('message', (data) => {
        const [, , , , reply] = JSON.parse(data.toString()) as [unknown, unknown, unknown, unknown, { status: string }]
        if (reply.status !== 'ok') return reject(new Error(`join refused: ${data.toString()}`))
        socket.on('message', (frame) => onFrame(frame.toString()))
        ws = socket
        resolve()
      })
      joinRef = String(++nextRef)
      socket.send(JSON.stringify([joinRef, joinRef, topic, 'phx_join', {}]))
    })
  })
}

function reset(count: number): void {
  sentAt = new Array<number>(count)
  outputs = 0
  refused = 0
  latencies = []
}

async function pipelined(count: number, window: number, agents: string[], bytes: number): Promise<TaskClientReport> {
  reset(count)
  const started = now()
  let sent = 0
  await new Promise<void>((resolve) => {
    const fill = () => {
      // Frames sent in one go leave in one write, as a busy client's would.
      while (sent < count && sent - (outputs + refused) < window) {
        sentAt[sent] = now()
        ws!.send(taskFrame(sent, agents, bytes))
        sent++
      }
      if (outputs + refused >= count) {
        onOutput = null
        resolve()
      }
    }
    onOutput = fill
    fill()
  })
  return { type: 'pipelined', outputs, refused, seconds: (now() - started) / 1000 }
}

async function paced(count: number, rate: number, agents: string[], bytes: number): Promise<TaskClientReport> {
  reset(count)
  const gap = 1000 / rate
  const started = now()
  for (let i = 0; i < count; i++) {
    // Sent on schedule from the start, so a late tick does not shift the ones after it.
    const wait = started + i * gap - now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    sentAt[i] = now()
    ws!.send(taskFrame(i, agents, bytes))
  }
  await new Promise<void>((resolve) => {
    const check = () => {
      if (outputs + refused >= count) {
        onOutput = null
        resolve()
      }
    }
    onOutput = check
    check()
  })
  return { type: 'paced', outputs, refused, latencies }
}

function disconnect(): Promise<void> {
  return new Promise((resolve) => {
    const socket = ws
    ws = null
    if (!socket || socket.readyState === WebSocket.CLOSED) return resolve()
    socket.once('close', () => resolve())
    socket.close()
  })
}

process.on('message', (msg: TaskClientRequest) => {
  const run = async (): Promise<TaskClientReport> => {
    switch (msg.type) {
      case 'connect':
        await connect(msg.url, msg.topic)
        return { type: 'connected' }
      case 'pipelined':
        return pipelined(msg.count, msg.window, msg.agents, msg.bytes)
      case 'paced':
        return paced(msg.count, msg.rate, msg.agents, msg.bytes)
      case 'disconnect':
        await disconnect()
        return { type: 'disconnected' }
    }
  }
  run().then(report, (err: Error) => report({ type: 'failed', message: err.message }))
})

process.on('disconnect', () => process.exit(0))
