import type { SwarmRegistry } from '../db/registry.js'
import type { EventSpine } from '../events/spine.js'

export interface CrashWatcherOptions {
  registry: SwarmRegistry
  spine: EventSpine
  /** how often the `running` rows are checked (ms); a crash is noticed within about this long */
  intervalMs?: number
  logger?: { warn(obj: object, msg: string): void }
}

/**
 * Notices a daemon that died without stopping (SIGKILL, OOM, power loss):
 * its row still says `running` but its pid is gone. The crash is stored on
 * the row once, by whichever watcher's conditional update wins, and emitted as
 * a `swarm_crashed` event, which joined sockets get as `swarm_stopped` with
 * `{status: "crashed"}`.
 */
export class CrashWatcher {
  readonly #registry: SwarmRegistry
  readonly #spine: EventSpine
  readonly #intervalMs: number
  readonly #logger: CrashWatcherOptions['logger'] | undefined
  #timer: NodeJS.Timeout | null = null

  constructor(opts: CrashWatcherOptions) {
    this.#registry = opts.registry
    this.#spine = opts.spine
    // One indexed read of a handful of rows and a signal-0 per running daemon: cheap, but no need to do it often.
    this.#intervalMs = opts.intervalMs ?? 1000
    this.#logger = opts.logger
  }

  start(): void {
    if (this.#timer) return
    this.#timer = setInterval(() => this.check(), this.#intervalMs)
    this.#timer.unref()
    this.check()
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }

  /** One pass; returns the swarms whose crash this pass recorded. */
  check(): string[] {
    const recorded: string[] = []
    try {
      for (const row of this.#registry.unrecordedCrashes()) {
        if (!this.#registry.recordCrash(row.name, row.pid!)) continue
        recorded.push(row.name)
        this.#spine.emit({
          swarm: row.name,
          event_type: 'swarm_crashed',
          category: 'swarm',
          level: 'error',
          message: `swarm ${row.name} crashed: its process ${row.pid} is gone`,
          metadata: { pid: row.pid, status: 'crashed' },
        })
      }
    } catch (err) {
      // A busy database is read again on the next pass.
      this.#logger?.warn({ err }, 'genswarms: checking for crashed daemons failed')
    }
    return recorded
  }
}
