import { loadConfigFile } from '../config/index.js'
import { createEngine, type Engine } from '../engine.js'
import { errors, isGenswarmsError } from '../errors.js'
import type { SwarmCommand } from '../db/registry.js'
import { InProcessHost } from '../hosts/in-process.js'
import { executeCommand } from './commands.js'

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
  /** how often the task and command queues are read (ms) */
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
 * registers itself `running` with its pid, then polls `tasks` and
 * `swarm_commands` for its swarm, delivers each and marks it processed or
 * failed with a reason. Signal handling belongs to the caller (see the CLI's
 * `start --foreground`), which calls `stop`.
 */
export async function startDaemon(opts: DaemonOptions): Promise<RunningDaemon> {
  const { logger } = opts
  const config = await loadConfigFile(opts.configPath)
  const swarm = config.name
  const engine = createEngine({
    dbPath: opts.dbPath,
    buffered: true,
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

  const pollMs = opts.pollMs ?? 100
  let timer: NodeJS.Timeout | null = null
  let pass: Promise<void> = Promise.resolve()
  let stopping: Promise<void> | null = null
  let resolveStopped!: () => void
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve))

  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ swarm, reason }, 'daemon stopping')
      if (timer) clearTimeout(timer)
      timer = null
      await pass
      await settleFinished()
      await withTimeout(host.stop(), opts.stopTimeoutMs ?? 15_000, `swarm "${swarm}" to stop`).catch((err) => {
        logger.error({ err }, 'swarm did not stop cleanly')
        engine.registry.markStopped(swarm, process.pid)
      })
      await settleFinished()
      engine.registry.failPending(swarm, `swarm ${swarm} stopped before this was delivered`)
      engine.spine.emit({ swarm, event_type: 'daemon_stopped', message: `daemon for swarm ${swarm} stopped (${reason})`, metadata: { pid: process.pid, reason } })
      await engine.close()
      logger.info({ swarm }, 'daemon stopped')
      resolveStopped()
    })()
    return stopping
  }

  const ctx = { host, requestStop: (reason: string) => void stop(reason) }

  const runCommand = async (command: SwarmCommand): Promise<void> => {
    try {
      const result = await executeCommand(command.op, command.payload, ctx)
      // Whoever waits for the outcome may read the command's events next: store them first.
      await engine.spine.settle()
      engine.registry.finishCommand(command.id, { result })
      logger.info({ command_id: command.id, op: command.op }, 'command done')
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      await engine.spine.settle().catch(() => {})
      engine.registry.finishCommand(command.id, {
        error: isGenswarmsError(err) ? { message, code: err.code, statusCode: err.statusCode } : { message },
      })
      logger.warn({ command_id: command.id, op: command.op, reason: message }, 'command failed')
      engine.spine.emit({ swarm, event_type: 'command_failed', message: `command ${command.op} #${command.id} failed: ${message}`, metadata: { command_id: command.id, op: command.op, error: message } })
    }
  }

  // A task row stays pending until its turn has finished and the turn's
  // events are stored: a daemon killed at any point leaves every unanswered
  // task pending, and the next daemon of the swarm runs it again.
  const inFlight = new Set<number>()
  /** tasks before this id are in flight or done; the scan restarts just before the first one left waiting */
  let scanFrom = 0
  const finished: number[] = []
  let settling: Promise<void> | null = null

  const settleFinished = (): Promise<void> => {
    settling ??= (async () => {
      while (finished.length > 0) {
        // Only ids taken before the settle starts: their events were all emitted before it.
        const ids = finished.splice(0)
        await engine.spine.settle()
        engine.registry.finishTasks(ids)
        for (const id of ids) inFlight.delete(id)
      }
    })()
      .catch((err) => logger.error({ err }, 'marking finished tasks failed'))
      .finally(() => {
        settling = null
        if (finished.length > 0) void settleFinished()
      })
    return settling
  }

  host.listen({
    finished(taskId) {
      finished.push(taskId)
      void settleFinished()
    },
    abandoned(taskId, reason) {
      inFlight.delete(taskId)
      // A stop of the whole daemon leaves its tasks to the clean-stop path below.
      if (stopping) return
      engine.registry.finishTask(taskId, { error: reason })
      logger.warn({ task_id: taskId, reason }, 'task abandoned')
      engine.spine.emit({ swarm, event_type: 'task_failed', message: `queued task #${taskId} failed: ${reason}`, metadata: { task_id: taskId, error: reason } })
    },
  })

  const deliverTasks = (): void => {
    // An agent whose inbox is full keeps its tasks pending, in order, until it has room.
    const blocked = new Set<string>()
    let firstWaiting: number | null = null
    let cursor = scanFrom
    for (;;) {
      const batch = engine.registry.pendingTasks(swarm, { afterId: cursor, limit: 200 })
      if (batch.length === 0) break
      for (const task of batch) {
        if (stopping) return
        cursor = task.id
        if (inFlight.has(task.id)) continue
        if (blocked.has(task.agent)) {
          firstWaiting ??= task.id
          continue
        }
        if (!host.acceptsTask(task.agent)) {
          blocked.add(task.agent)
          firstWaiting ??= task.id
          continue
        }
        try {
          const attempts = engine.registry.takeTask(task.id)
          host.deliver(task.agent, task.task, { id: task.id, redelivered: attempts > 1 })
          inFlight.add(task.id)
          logger.info({ task_id: task.id, agent: task.agent, attempts }, attempts > 1 ? 'task redelivered' : 'task delivered')
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err)
          engine.registry.finishTask(task.id, { error: message })
          logger.warn({ task_id: task.id, agent: task.agent, reason: message }, 'task failed')
          engine.spine.emit({ swarm, event_type: 'task_failed', agent: task.agent, message: `queued task #${task.id} for ${task.agent} failed: ${message}`, metadata: { task_id: task.id, error: message } })
        }
      }
    }
    scanFrom = firstWaiting !== null ? firstWaiting - 1 : cursor
  }

  const poll = async (): Promise<void> => {
    try {
      for (const command of engine.registry.pendingCommands(swarm)) {
        if (stopping) break
        await runCommand(command)
      }
      if (!stopping) deliverTasks()
    } catch (err) {
      // A busy database is retried on the next pass; the queue rows stay pending.
      logger.warn({ err }, 'reading the task and command queues failed')
    }
  }

  const schedule = (): void => {
    if (stopping) return
    timer = setTimeout(() => {
      timer = null
      pass = poll().finally(schedule)
    }, pollMs)
  }
  pass = poll().finally(schedule)

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
