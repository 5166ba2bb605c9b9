import type Database from 'better-sqlite3'
import { ChangeWatch } from '../db/change-watch.js'
import type { EventSpine } from '../events/spine.js'
import { InProcessHost } from '../hosts/in-process.js'
import type { LocalReach } from '../hosts/types.js'
import type { Swarm } from '../swarm/swarm.js'
import { QueueConsumer, type QueueLogger } from './queue-consumer.js'

export interface ServerQueuesOptions {
  reach: LocalReach
  spine: EventSpine
  logger: QueueLogger
  /** the database's `-wal` file (see walFile) */
  file: string | null
  /** this process's connection: its own commits do not wake the consumer */
  connection: Database.Database
  /** the safety-net read, for when no change notification comes (ms) */
  pollMs?: number
}

/**
 * The task and command queues of the swarms a server runs itself: another
 * process (a daemon's object calling ctx.sendToSwarm, the CLI with --queue)
 * reaches such a swarm only through them. Woken when another process
 * commits; each wake asks which swarms have pending rows and passes those
 * this server runs to their QueueConsumer.
 */
export class ServerQueues {
  readonly #opts: ServerQueuesOptions
  readonly #watch: ChangeWatch
  readonly #consumers = new Map<string, { swarm: Swarm; consumer: QueueConsumer }>()

  constructor(opts: ServerQueuesOptions) {
    this.#opts = opts
    this.#watch = new ChangeWatch({
      file: opts.file,
      othersOf: opts.connection,
      pollMs: opts.pollMs ?? 1000,
      onChange: () => this.#pass(),
    })
  }

  start(): void {
    this.#watch.start()
    this.#watch.kick()
  }

  async stop(): Promise<void> {
    this.#watch.stop()
    await Promise.all([...this.#consumers.values()].map(({ consumer }) => consumer.stop()))
    this.#consumers.clear()
  }

  #pass(): void {
    const { reach, logger } = this.#opts
    let names: string[]
    try {
      names = reach.registry.swarmsWithPendingWork()
    } catch (err) {
      logger.warn({ err }, 'reading the task and command queues failed')
      return
    }
    for (const name of names) this.#consumerFor(name)?.pass()
    // A swarm stopped (or restarted) here leaves its consumer behind.
    for (const [name, entry] of this.#consumers) {
      if (!reach.manager.has(name) || reach.manager.swarm(name) !== entry.swarm) {
        this.#consumers.delete(name)
        void entry.consumer.stop()
      }
    }
  }

  #consumerFor(name: string): QueueConsumer | null {
    const { reach, spine, logger } = this.#opts
    if (!reach.manager.has(name)) return null
    const swarm = reach.manager.swarm(name)
    const known = this.#consumers.get(name)
    if (known?.swarm === swarm) return known.consumer
    if (known) void known.consumer.stop()
    const host = new InProcessHost(name, reach)
    const consumer = new QueueConsumer({
      host,
      registry: reach.registry,
      spine,
      logger,
      requestStop: (reason) => {
        logger.info({ swarm: name, reason }, 'stopping a swarm on request from the queue')
        void host.stop().catch((err: unknown) => logger.error({ err }, `stopping swarm ${name} failed`))
      },
      wake: () => this.#watch.kick(),
    })
    this.#consumers.set(name, { swarm, consumer })
    return consumer
  }
}
