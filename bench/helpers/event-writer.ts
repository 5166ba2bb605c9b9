// Child process of the relay benchmark: stands in for a daemon. Writes `count`
// events for `swarm`, one at a time with a random pause between them, each
// carrying the moment it was written (ms since the epoch, sub-ms precision).
import { performance } from 'node:perf_hooks'
import { createEngine } from '../../lib/engine.js'

const [dbPath, swarm, countText, minGapText, maxGapText] = process.argv.slice(2)
const count = Number(countText)
const minGap = Number(minGapText ?? 20)
const maxGap = Number(maxGapText ?? 60)
const engine = createEngine({ dbPath: dbPath!, buffered: false })
const now = () => performance.timeOrigin + performance.now()

for (let i = 0; i < count; i++) {
  await new Promise((r) => setTimeout(r, minGap + Math.random() * (maxGap - minGap)))
  engine.spine.emit({ swarm: swarm!, event_type: 'bench_event', message: `bench ${i}`, metadata: { i, written_at: now() } })
}
await engine.close()
