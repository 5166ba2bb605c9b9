import { ChangeWatch } from '../db/change-watch.js'
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
  /** after a wake-up pass, look again these many ms later (see ChangeWatch) */
  recheckMs?: number[]
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
  readonly #recheckMs: number[] | undefined
  readonly #logger: RelayLogger | null
  #lastId = 0
  #running = false
  #watch: ChangeWatch | null = null
  #failing = false

  constructor(opts: EventRelayOptions) {
    this.#store = opts.store
    this.#spine = opts.spine
    this.#pubsub = opts.pubsub
    this.#intervalMs = Math.max(1, opts.intervalMs ?? 25)
    this.#batchSize = Math.max(1, opts.batchSize ?? 500)
    this.#wakeOn = opts.wakeOn ?? null
    this.#recheckMs = opts.recheckMs
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
    this.#watch = new ChangeWatch({ file: this.#wakeOn, pollMs: this.#intervalMs, ...(this.#recheckMs ? { recheckMs: this.#recheckMs } : {}), onChange: () => this.#pass() })
    this.#watch.start()
  }

  stop(): void {
    this.#running = false
    this.#watch?.stop()
    this.#watch = null
  }

  /** Publishes everything written since the last pass; returns how many events were published. */
  drain(): number {
    let published = 0
    while (this.#drainSome(Infinity, (n) => (published += n)) === false);
    return published
  }

  /**
   * Passes this process's own events without reading them back: while the
   * next id is one the spine stored, it is claimed and skipped. True when
   * that reaches the newest id, so nothing is left to read.
   */
  #skipOwn(): boolean {
    const max = this.#store.maxEventId()
    while (this.#lastId < max && this.#spine.claimOwn(this.#lastId + 1)) this.#lastId++
    return this.#lastId >= max
  }

  /** Reads at most `maxBatches` batches; true when caught up. */
  #drainSome(maxBatches: number, count: (n: number) => void = () => {}): boolean {
    if (this.#skipOwn()) return true
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
}
