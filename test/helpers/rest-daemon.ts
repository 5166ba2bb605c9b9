// Child process for the REST tests: runs one swarm in its own engine on a shared
// database, like a `genswarms start` daemon, and stops cleanly on SIGTERM.
import { createEngine } from '../../lib/engine.js'
import { mockAgent, swarmConfig } from './engine.js'

const [dbPath, name] = process.argv.slice(2)
const engine = createEngine({ dbPath: dbPath!, buffered: false })
await engine.swarmManager.start(swarmConfig(name!, [mockAgent('worker', [{ match: '.*', response: 'done' }]), mockAgent('helper')], [['worker', 'helper']]))
process.once('SIGTERM', () => {
  void engine.close().then(() => process.exit(0))
})
const keepAlive = setInterval(() => {}, 60_000)
process.once('exit', () => clearInterval(keepAlive))
process.stdout.write('ready\n')
