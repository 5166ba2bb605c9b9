// Child process for the slow-client tests: the real server on its own heap, so
// its RSS is the server's alone. argv: <db path> <event count> <event bytes>.
// Prints {port} once listening; over IPC answers 'reset' (start a new peak
// window, answers the current RSS) and 'peak' (the highest RSS sampled since),
// (with the heap figures at that moment), and forwards every slow-consumer warning as {slowConsumer: true}.
import { Writable } from 'node:stream'
import { buildServer } from '../../app.js'

const [dbPath, countText, bytesText] = process.argv.slice(2)
const send = (m: object) => process.send?.(m)

const stream = new Writable({
  write(chunk, _enc, done) {
    for (const line of chunk.toString().split('\n')) {
      if (line.includes('slow consumer: closing phoenix socket')) send({ slowConsumer: true })
    }
    done()
  },
})
const app = await buildServer({ logger: { level: 'warn', stream }, dbPath: dbPath!, cwd: process.cwd(), events: { buffered: false }, apiToken: null, relay: false })
await app.swarmManager.start({
  name: 'big',
  agents: [{ name: 'echo', backend: { type: 'mock', script: [], echo: true }, skills: [], config: {} }],
  objects: [],
  topology: [],
})
const message = 'z'.repeat(Number(bytesText))
const timestamp = new Date().toISOString()
app.eventStore.persistMany(
  Array.from({ length: Number(countText) }, (_, i) => ({
    timestamp, level: 'info' as const, category: 'agent' as const, swarm: 'big', agent: 'echo',
    event_type: 'agent_output', message: `${i} ${message}`, metadata: {},
  })),
)

let peak = process.memoryUsage().rss
let atPeak = process.memoryUsage()
const sampler = setInterval(() => {
  const usage = process.memoryUsage()
  if (usage.rss > peak) [peak, atPeak] = [usage.rss, usage]
}, 5)
process.on('message', (m) => {
  const rss = process.memoryUsage().rss
  peak = Math.max(peak, rss)
  if (m === 'reset') {
    peak = rss
    atPeak = process.memoryUsage()
    send({ rss })
  } else if (m === 'peak') {
    send({ peak, heapUsed: atPeak.heapUsed, heapTotal: atPeak.heapTotal, external: atPeak.external, arrayBuffers: atPeak.arrayBuffers })
  }
})
process.on('disconnect', () => {
  clearInterval(sampler)
  void app.close().then(() => process.exit(0))
})
await app.listen({ port: 0, host: '127.0.0.1' })
send({ port: (app.server.address() as { port: number }).port })
