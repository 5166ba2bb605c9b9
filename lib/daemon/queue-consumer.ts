import type { SwarmCommand, SwarmRegistry } from '../db/registry.js'
import { isGenswarmsError } from '../errors.js'
import type { EventSpine } from '../events/spine.js'
import type { InProcessHost } from '../hosts/in-process.js'
import { executeCommand } from './commands.js'

export interface QueueLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface QueueConsumerOptions {
  host: InProcessHost
  registry: SwarmRegistry
  spine: EventSpine
  logger: QueueLogger
  /** what a `stop` command does to the process that runs the swarm */
  requestStop(reason: string): void
  /** asks for another pass soon: an agent finished a task and may have room for the next */
  wake(): void
}

/**
 * Reads one swarm's task and command queues in the database and hands each
 * row to the swarm running in this process: a daemon's whole job, and a
 * server's for the swarms it runs, so any process reaches a swarm through
 * the queue wherever it runs. Whoever owns it calls `pass()` when the
 * database may have changed.
 */
export class QueueConsumer {
  readonly swarm: string
  readonly #opts: QueueConsumerOptions
  // A task row stays pending until its turn has finished and the turn's
  // events are stored: a process killed at any point leaves every unanswered
  // task pending, and the next owner of the swarm runs it again.
  readonly #inFlight = new Set<number>()
  /** tasks before this id are in flight or done; the scan restarts just before the first one left waiting */
  #scanFrom = 0
  readonly #finished: number[] = []
  #settling: Promise<void> | null = null
  #current: Promise<void> = Promise.resolve()
  #again = false
  #busy = false
  #stopping = false

  constructor(opts: QueueConsumerOptions) {
    this.#opts = opts
    this.swarm = opts.host.name
    opts.host.listen({
      finished: (taskId) => {
        this.#finished.push(taskId)
        void this.settleFinished()
        this.#opts.wake()
      },
      abandoned: (taskId, reason) => {
        this.#inFlight.delete(taskId)
        // A stop of the whole process leaves its tasks to its clean-stop path.
        if (this.#stopping) return
        this.#opts.registry.finishTask(taskId, { error: reason })
        this.#opts.logger.warn({ task_id: taskId, reason }, 'task abandoned')
        this.#opts.spine.emit({ swarm: this.swarm, event_type: 'task_failed', message: `queued task #${taskId} failed: ${reason}`, metadata: { task_id: taskId, error: reason } })
      },
    })
  }

  /** No more passes; the pass under way (if any) is awaited. */
  async stop(): Promise<void> {
    this.#stopping = true
    await this.#current
  }

  /** Resolves when no pass runs. */
  idle(): Promise<void> {
    return this.#current
  }

  /** Commands first, then tasks; a call during a pass runs one more pass after it. */
  pass(): Promise<void> {
    if (this.#stopping) return this.#current
    if (this.#busy) {
      this.#again = true
      return this.#current
    }
    this.#busy = true
    this.#current = (async () => {
      try {
        do {
          this.#again = false
          await this.#once()
        } while (this.#again && !this.#stopping)
      } finally {
        this.#busy = false
      }
    })()
    return this.#current
  }

  async #once(): Promise<void> {
    const { registry, logger } = this.#opts
    try {
      for (const command of registry.pendingCommands(this.swarm)) {
        if (this.#stopping) break
        await this.#runCommand(command)
      }
      if (!this.#stopping) this.#deliverTasks()
    } catch (err) {
      // A busy database is retried on the next pass; the queue rows stay pending.
      logger.warn({ err }, 'reading the task and command queues failed')
    }
  }

  /** Marks the finished tasks processed once their events are stored. */
  settleFinished(): Promise<void> {
    const { registry, spine, logger } = this.#opts
    this.#settling ??= (async () => {
      while (this.#finished.length > 0) {
        // Only ids taken before the settle starts: their events were all emitted before it.
        const ids = this.#finished.splice(0)
        await spine.settle()
        registry.finishTasks(ids)
        for (const id of ids) this.#inFlight.delete(id)
      }
    })()
      .catch((err) => logger.error({ err }, 'marking finished tasks failed'))
      .finally(() => {
        this.#settling = null
        if (this.#finished.length > 0) void this.settleFinished()
      })
    return this.#settling
  }

  async #runCommand(command: SwarmCommand): Promise<void> {
    const { registry, spine, logger, host } = this.#opts
    const ctx = { host, requestStop: (reason: string) => this.#opts.requestStop(reason) }
    try {
      const result = await executeCommand(command.op, command.payload, ctx)
      // Whoever waits for the outcome may read the command's events next: store them first.
      await spine.settle()
      registry.finishCommand(command.id, { result })
      logger.info({ command_id: command.id, op: command.op }, 'command done')
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      await spine.settle().catch(() => {})
      registry.finishCommand(command.id, {
        error: isGenswarmsError(err) ? { message, code: err.code, statusCode: err.statusCode } : { message },
      })
      logger.warn({ command_id: command.id, op: command.op, reason: message }, 'command failed')
      spine.emit({ swarm: this.swarm, event_type: 'command_failed', message: `command ${command.op} #${command.id} failed: ${message}`, metadata: { command_id: command.id, op: command.op, error: message } })
    }
  }

  #deliverTasks(): void {
    const { registry, spine, logger, host } = this.#opts
    // An agent whose inbox is full keeps its tasks pending, in order, until it has room.
    const blocked = new Set<string>()
    let firstWaiting: number | null = null
    let cursor = this.#scanFrom
    for (;;) {
      const batch = registry.pendingTasks(this.swarm, { afterId: cursor, limit: 200 })
      if (batch.length === 0) break
      for (const task of batch) {
        if (this.#stopping) return
        cursor = task.id
        if (this.#inFlight.has(task.id)) continue
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
          const attempts = registry.takeTask(task.id)
          host.deliver(task.agent, task.task, { id: task.id, redelivered: attempts > 1 })
          this.#inFlight.add(task.id)
          logger.info({ task_id: task.id, agent: task.agent, attempts }, attempts > 1 ? 'task redelivered' : 'task delivered')
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err)
          registry.finishTask(task.id, { error: message })
          logger.warn({ task_id: task.id, agent: task.agent, reason: message }, 'task failed')
          spine.emit({ swarm: this.swarm, event_type: 'task_failed', agent: task.agent, message: `queued task #${task.id} for ${task.agent} failed: ${message}`, metadata: { task_id: task.id, error: message } })
        }
      }
    }
    this.#scanFrom = firstWaiting !== null ? firstWaiting - 1 : cursor
  }
}
