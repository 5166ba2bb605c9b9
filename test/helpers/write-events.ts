// Child process for the concurrent-writer test: writes N events for swarm <tag>,
// half one at a time and half through the buffered writer.
import { createEngine } from '../../lib/engine.js'

const [file, tag, countText] = process.argv.slice(2)
const count = Number(countText)
const direct = createEngine({ dbPath: file!, buffered: false })
const buffered = createEngine({ dbPath: file!, buffered: { flushIntervalMs: 5, maxBatch: 100 } })
for (let i = 0; i < count; i++) {
  const engine = i % 2 === 0 ? direct : buffered
  engine.spine.emit({ swarm: tag!, event_type: 'test_event', message: `${tag} ${i}` })
  if (i % 250 === 0) await new Promise((r) => setImmediate(r))
}
await buffered.close()
await direct.close()
