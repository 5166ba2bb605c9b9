// Prints the source files on the stack at each step of one socket `send_task`
// whose answer routes a message: the frame reaching the agent's backend, the
// agent_output and message_routed pushes being written, and the routed
// message reaching the second agent. Run: node --import tsx scripts/send-task-path.ts
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { buildServer } from '../app.js'
import { MockBackend } from '../lib/backends/mock.js'

const root = fileURLToPath(new URL('..', import.meta.url))
Error.stackTraceLimit = 200

/** Innermost first; consecutive frames of one file count once. */
function filesOnStack(): string[] {
  const files: string[] = []
  for (const line of new Error().stack!.split('\n').slice(2)) {
    const at = line.indexOf(root)
    if (at < 0) continue
    const file = line.slice(at + root.length).replace(/:\d+:\d+\)?$/, '')
    if (!/^(lib|routes|plugins)\//.test(file) || file.startsWith('scripts/')) continue
    if (files.at(-1) !== file) files.push(file)
  }
  return files
}
const show = (step: string, files: string[]) => console.log(`${step.padEnd(34)} ${String(files.length).padStart(2)} files: ${files.join(' ← ')}`)

let total = 0
const record = (step: string) => {
  const files = filesOnStack()
  total += files.length
  show(step, files)
}
const sendInput = MockBackend.prototype.sendInput
MockBackend.prototype.sendInput = function (input) {
  record(input.type === 'task' ? 'frame → backend of a' : 'routed message → backend of b')
  return sendInput.call(this, input)
}
const wsSend = WebSocket.prototype.send
WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
  const text = String(data)
  if (text.includes('"agent_output"')) record('agent_output push → wire')
  if (text.includes('"message_routed"')) record('message_routed push → wire')
  return (wsSend as (...args: unknown[]) => void).call(this, data, ...rest)
} as typeof wsSend

const dir = mkdtempSync(join(tmpdir(), 'genswarms-path-'))
const app = await buildServer({ logger: false, dbPath: join(dir, 'swarms.db'), cwd: dir, events: { buffered: false }, apiToken: null })
try {
  await app.listen({ port: 0, host: '127.0.0.1' })
  await app.swarmManager.start({
    name: 'path',
    agents: [
      { name: 'a', backend: { type: 'mock', echo: true }, skills: [], config: {} },
      { name: 'b', backend: { type: 'mock' }, skills: [], config: {} },
    ],
    objects: [],
    topology: [{ from: 'a', to: 'b' }],
  })
  const { port } = app.server.address() as { port: number }
  const ws = new WebSocket(`ws://127.0.0.1:${port}/swarm/websocket?vsn=2.0.0`)
  await new Promise((resolve) => ws.once('open', resolve))
  const routed = new Promise<void>((resolve) => ws.on('message', (d) => String(d).includes('"message_routed"') && resolve()))
  ws.send(JSON.stringify(['1', '1', 'swarm:path', 'phx_join', {}]))
  ws.send(JSON.stringify(['1', '2', 'swarm:path', 'send_task', { agent: 'a', task: '@b: hello' }]))
  await routed
  ws.close()
} finally {
  await app.close()
  rmSync(dir, { recursive: true, force: true })
}
console.log(`${'in all'.padEnd(34)} ${total} files on the four stacks`)
