import type { EventQuery, EventStore, SwarmEvent } from './types.js'

export interface BufferedWriterOptions {
  /** flush at most this long after the first queued event (ms) */
  flushIntervalMs?: number
  /** flush at once when this many events are queued */
  maxBatch?: number
  /** a failed flush is reported here; its events are kept and retried */
  onError?: (err: unknown) => void
  /**
   * Events after which the queue is written without waiting for the timer:
   * at the end of the current tick, so what else is queued in it joins the
   * same transaction and batching under load is kept.
   */
  flushWhen?: (event: Omit<SwarmEvent, 'id'>) => boolean
}

interface Pending {
  event: Omit<SwarmEvent, 'id'>
  resolve: (stored: SwarmEvent) => void
  reject: (err: unknown) => void
}

/**
 * Wraps any EventStore: events are queued and written in one transaction per
 * flush (every `flushIntervalMs` or at `maxBatch` queued). `persist` resolves
 * with the stored event (and its id) once its batch is written; `close()`
 * flushes everything still queued.
 */
export class BufferedEventWriter implements EventStore {
  readonly #store: EventStore
  readonly #interval: number
  readonly #maxBatch: number
  readonly #onError: (err: unknown) => void
  readonly #flushWhen: ((event: Omit<SwarmEvent, 'id'>) => boolean) | null
  #queue: Pending[] = []
  #timer: NodeJS.Timeout | null = null
  #soon: NodeJS.Immediate | null = null
  #flushing: Promise<void> | null = null
  #closed = false

  constructor(store: EventStore, opts: BufferedWriterOptions = {}) {
    this.#store = store
    this.#interval = opts.flushIntervalMs ?? 100
    this.#maxBatch = opts.maxBatch ?? 1000
    this.#onError = opts.onError ?? (() => {})
    this.#flushWhen = opts.flushWhen ?? null
  }

  get pending(): number {
    return this.#queue.length
  }

  persist(event: Omit<SwarmEvent, 'id'>): Promise<SwarmEvent> {
    if (this.#closed) return Promise.reject(new Error('event writer is closed'))
    return new Promise((resolve, reject) => {
      this.#queue.push({ event, resolve, reject })
      this.#schedule(event)
    })
  }

  persistMany(events: Omit<SwarmEvent, 'id'>[]): Promise<SwarmEvent[]> {
    return Promise.all(events.map((e) => this.persist(e)))
  }

  #schedule(event: Omit<SwarmEvent, 'id'>): void {
    if (this.#queue.length >= this.#maxBatch) {
      void this.flush()
      return
    }
    if (!this.#soon && this.#flushWhen?.(event)) {
      this.#soon = setImmediate(() => {
        this.#soon = null
        void this.flush()
      })
    }
    if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = null
        void this.flush()
      }, this.#interval)
    }
  }

  /** Writes everything queued so far; resolves when it is stored. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing
    if (this.#timer) {
      clearTimeout(this.#timer)
      this.#timer = null
    }
    if (this.#queue.length === 0) return
    this.#flushing = this.#writeBatches().finally(() => {
      this.#flushing = null
    })
    await this.#flushing
  }

  async #writeBatches(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.#maxBatch)
      let stored: SwarmEvent[]
      try {
        stored = await this.#store.persistMany(batch.map((p) => p.event))
      } catch (err) {
        this.#onError(err)
        // Keep the events queued for the next flush unless we are closing.
        if (this.#closed) {
          this.#queue.splice(0, batch.length)
          for (const p of batch) p.reject(err)
        } else if (!this.#timer) {
          this.#timer = setTimeout(() => {
            this.#timer = null
            void this.flush()
          }, this.#interval)
        }
        return
      }
      this.#queue.splice(0, batch.length)
      batch.forEach((p, i) => p.resolve(stored[i]!))
    }
  }

  query(q: EventQuery): SwarmEvent[] {
    return this.#store.query(q)
  }

  eventsSince(id: number, limit?: number): SwarmEvent[] {
    return this.#store.eventsSince(id, limit)
  }

  maxEventId(): number {
    return this.#store.maxEventId()
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#soon) clearImmediate(this.#soon)
    this.#soon = null
    await this.flush()
    await this.#store.close()
  }
}
