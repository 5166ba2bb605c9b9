// Child process for bench/daemon-latency.ts: the real daemon loop
// (startDaemon, as `genswarms start --foreground` runs it) for one swarm on a
// shared database; says `ready` once registered and stops cleanly on SIGTERM.
import { startDaemon } from '../../lib/daemon/run.js'

const [configPath, dbPath] = process.argv.slice(2)
const quiet = { info() {}, warn() {}, error: (obj: object, msg: string) => console.error(msg, obj) }
const daemon = await startDaemon({ configPath: configPath!, dbPath: dbPath!, logPath: null, logger: quiet })
process.once('SIGTERM', () => void daemon.stop('SIGTERM'))
await new Promise<void>((resolve) => process.stdout.write('ready\n', () => resolve()))
await daemon.stopped
process.exit(0)
