import { watch, type FSWatcher } from 'node:fs'
import { topics, type PubSub } from '../pubsub/index.js'
import { liveMessageFor } from './live.js'
import type { EventSpine } from './spine.js'
import type { EventStore } from './types.js'

const PASS_BATCHES = 4

interface RelayLogger {
  warn(obj: object, msg: string): void
}

export interface EventRelayOptions {
  store: Pick<EventStore, 'eventsSince' | 'maxEventId'>
  spine: Pick<EventSpine, 'claimOwn'>
  pubsub: Pick<PubSub, 'publish'>
  /** how often the database is polled (ms) */
  intervalMs?: number
  /** rows read per query; a pass keeps reading until it is caught up */
  batchSize?: number
  /**
   * A file whose changes wake the relay at once (the database's `-wal` file);
   * polling then only catches what the watch misses.
   */
  wakeOn?: string | null
  /** after a wake-up pass, look once more this much later (ms) */
  recheckMs?: number
  logger?: RelayLogger
}

/**
 * Tails the shared events table and publishes, on `events:<swarm>`, every
 * event another process wrote, together with the live push it stands
 * for (agent_output, message_routed, swarm_started, …), so clients joined to a
 * daemon swarm see what clients of an in-process swarm see. It starts at the current tip and
 * follows ids strictly upwards, so nothing is published twice. SQLite commits
 * one writer at a time and ids are assigned inside the write, so once an id is
 * visible every smaller id is too: reading `id > last` in order leaves no gaps
 * even with several daemons writing at once.
 */
export class EventRelay {
  readonly #store: EventRelayOptions['store']
  readonly #spine: EventRelayOptions['spine']
  readonly #pubsub: EventRelayOptions['pubsub']
  readonly #intervalMs: number
  readonly #batchSize: number
  readonly #wakeOn: string | null
  readonly #recheckMs: number
  readonly #logger: RelayLogger | null
  #lastId = 0
  #running = false
  #timer: NodeJS.Timeout | null = null
  #watcher: FSWatcher | null = null
  #woken = false
  #recheck: NodeJS.Timeout | null = null
  #failing = false

  constructor(opts: EventRelayOptions) {
    this.#store = opts.store
    this.#spine = opts.spine
    this.#pubsub = opts.pubsub
    this.#intervalMs = Math.max(1, opts.intervalMs ?? 25)
    this.#batchSize = Math.max(1, opts.batchSize ?? 500)
    this.#wakeOn = opts.wakeOn ?? null
    this.#recheckMs = opts.recheckMs ?? 5
    this.#logger = opts.logger ?? null
  }

  /** The id of the last event the relay has passed (published or skipped). */
  get lastId(): number {
    return this.#lastId
  }

  get running(): boolean {
    return this.#running
  }

  start(): void {
    if (this.#running) return
    this.#lastId = this.#store.maxEventId()
    this.#running = true
    if (this.#wakeOn) this.#watch()
    this.#schedule()
  }

  stop(): void {
    this.#running = false
    if (this.#timer) clearTimeout(this.#timer)
    if (this.#recheck) clearTimeout(this.#recheck)
    this.#timer = null
    this.#recheck = null
    this.#unwatch()
  }

  /** Publishes everything written since the last pass; returns how many events were published. */
  drain(): number {
    let published = 0
    while (this.#drainSome(Infinity, (n) => (published += n)) === false);
    return published
  }

  /** Reads at most `maxBatches` batches; true when caught up. */
  #drainSome(maxBatches: number, count: (n: number) => void = () => {}): boolean {
    for (let i = 0; i < maxBatches; i++) {
      const batch = this.#store.eventsSince(this.#lastId, this.#batchSize)
      let published = 0
      for (const event of batch) {
        this.#lastId = event.id
        if (this.#spine.claimOwn(event.id) || event.swarm === null) continue
        const live = liveMessageFor(event)
        if (live) this.#pubsub.publish(live.topic, live.event, live.payload)
        this.#pubsub.publish(topics.events(event.swarm), 'event', event)
        published++
      }
      count(published)
      if (batch.length < this.#batchSize) return true
    }
    return false
  }

  #pass(): void {
    if (!this.#running) return
    if (this.#wakeOn && !this.#watcher) this.#watch()
    try {
      // A large backlog is read a few batches at a time so requests and sockets are served in between.
      if (!this.#drainSome(PASS_BATCHES)) setImmediate(() => this.#pass())
      this.#failing = false
    } catch (err) {
      // A busy or briefly unreadable database is retried on the next pass; say so once per outage.
      if (!this.#failing) this.#logger?.warn({ err }, 'event relay: reading new events failed; retrying')
      this.#failing = true
    }
  }

  #schedule(): void {
    if (!this.#running) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#pass()
      this.#schedule()
    }, this.#intervalMs)
    this.#timer.unref()
  }

  #watch(): void {
    try {
      const watcher = watch(this.#wakeOn!, { persistent: false }, (type) => {
        // The file was replaced (all connections closed and it was recreated): watch the new one on the next pass.
        if (type === 'rename') this.#unwatch()
        this.#wake()
      })
      watcher.on('error', () => this.#unwatch())
      this.#watcher = watcher
    } catch {
      // No such file yet, or no watch support: polling alone still delivers everything.
    }
  }

  #unwatch(): void {
    this.#watcher?.close()
    this.#watcher = null
  }

  /**
   * Many change notifications per commit collapse into one pass. A writer
   * touches the file a moment before its commit becomes visible to readers,
   * so one more pass shortly after catches a commit the first pass was early for.
   */
  #wake(): void {
    if (this.#woken || !this.#running) return
    this.#woken = true
    setImmediate(() => {
      this.#woken = false
      this.#pass()
      if (this.#recheck || !this.#running) return
      this.#recheck = setTimeout(() => {
        this.#recheck = null
        this.#pass()
      }, this.#recheckMs)
      this.#recheck.unref()
    })
  }
}
