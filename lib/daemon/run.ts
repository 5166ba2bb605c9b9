import { loadConfigFile } from '../config/index.js'
import { createEngine, type Engine } from '../engine.js'
import { ChangeWatch, walFile } from '../db/change-watch.js'
import { errors } from '../errors.js'
import { InProcessHost } from '../hosts/in-process.js'
import { endsTurn } from './flush-points.js'
import { QueueConsumer } from './queue-consumer.js'

interface DaemonLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface DaemonOptions {
  /** absolute path of the swarm config */
  configPath: string
  dbPath: string
  /** where this process's output goes, recorded in the registry (null when it is a terminal) */
  logPath: string | null
  logger: DaemonLogger
  /** the safety-net read of the task and command queues, for when no change notification comes (ms) */
  pollMs?: number
  /** give up on a clean stop after this long (ms) */
  stopTimeoutMs?: number
}

export interface RunningDaemon {
  swarm: string
  engine: Engine
  /** stops the swarm, fails what is still queued, flushes events and marks the row stopped */
  stop(reason: string): Promise<void>
  /** settles once the daemon has stopped, however it was asked to */
  stopped: Promise<void>
}

/**
 * One swarm in this process, driven through the shared database (docs/cli.md, daemons):
 * registers itself `running` with its pid, then reads `tasks` and
 * `swarm_commands` for its swarm whenever another process commits to the
 * database (see QueueConsumer), delivers each and marks it processed or
 * failed with a reason. Signal handling belongs to the caller (see the CLI's
 * `start --foreground`), which calls `stop`.
 */
export async function startDaemon(opts: DaemonOptions): Promise<RunningDaemon> {
  const { logger } = opts
  const config = await loadConfigFile(opts.configPath)
  const swarm = config.name
  const engine = createEngine({
    dbPath: opts.dbPath,
    // A turn's events are stored when it ends, for the server's relay to push; the timer only bounds a busy stretch.
    buffered: { flushWhen: endsTurn },
    pid: process.pid,
    logPath: opts.logPath,
    onError: (err, context) => logger.error({ err }, `${context} failed`),
  })
  const holder = engine.registry.claim({ name: swarm, pid: process.pid, configPath: opts.configPath, config: config as unknown as Record<string, unknown>, logPath: opts.logPath })
  if (holder) {
    await engine.close()
    throw errors.swarmAlreadyRunning(swarm)
  }
  let host: InProcessHost
  try {
    const started = await InProcessHost.start(engine.reach, config, { configPath: opts.configPath })
    for (const f of started.failed) logger.warn({ agent: f.agent, reason: f.reason }, 'agent failed to start')
    host = started.host
  } catch (err) {
    engine.registry.markStopped(swarm, process.pid)
    await engine.close()
    throw err
  }
  engine.spine.emit({
    swarm, event_type: 'daemon_started', message: `daemon for swarm ${swarm} started (pid ${process.pid})`,
    metadata: { pid: process.pid, config_path: opts.configPath, log_path: opts.logPath },
  })
  logger.info({ swarm, db: engine.database.path }, 'daemon running')

  let stopping: Promise<void> | null = null
  let resolveStopped!: () => void
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve))

  const queue = new QueueConsumer({
    host,
    registry: engine.registry,
    spine: engine.spine,
    logger,
    requestStop: (reason) => void stop(reason),
    wake: () => watch.kick(),
  })
  // Woken by other processes' commits (a task or command queued); the poll is only the safety net.
  const watch = new ChangeWatch({
    file: walFile(engine.database),
    othersOf: engine.database.sqlite,
    pollMs: opts.pollMs ?? 1000,
    // The watch is what keeps a daemon's process alive until it is told to stop.
    keepAlive: true,
    onChange: () => void queue.pass(),
  })

  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ swarm, reason }, 'daemon stopping')
      watch.stop()
      await queue.stop()
      await queue.settleFinished()
      await withTimeout(host.stop(), opts.stopTimeoutMs ?? 15_000, `swarm "${swarm}" to stop`).catch((err) => {
        logger.error({ err }, 'swarm did not stop cleanly')
        engine.registry.markStopped(swarm, process.pid)
      })
      await queue.settleFinished()
      engine.registry.failPending(swarm, `swarm ${swarm} stopped before this was delivered`)
      engine.spine.emit({ swarm, event_type: 'daemon_stopped', message: `daemon for swarm ${swarm} stopped (${reason})`, metadata: { pid: process.pid, reason } })
      await engine.close()
      logger.info({ swarm }, 'daemon stopped')
      resolveStopped()
    })()
    return stopping
  }

  watch.start()
  void queue.pass()

  return { swarm, engine, stop, stopped }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(errors.timeout(what)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}
