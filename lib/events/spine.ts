import type { PubSub } from '../pubsub/index.js'
import { topics } from '../pubsub/index.js'
import { liveMessageFor } from './live.js'
import { categoryFor, levelFor } from './taxonomy.js'
import type { EventInput, EventStore, SwarmEvent } from './types.js'

export type { LiveMessage } from './live.js'

export interface EventSpineOptions {
  /**
   * Remember the ids this process stored so an EventRelay tailing the same
   * database can skip them (the relay forgets each id once it passes it).
   */
  trackOwnIds?: boolean
  onError?: (err: unknown, event: EventInput) => void
}

/**
 * The single entry point for everything observable: `emit` publishes the live
 * push the event stands for (if any, see liveMessageFor) at once, stores the
 * event, and publishes the stored event on `events:<swarm>` once it has its
 * id. Nothing else writes events.
 */
export class EventSpine {
  readonly store: EventStore
  readonly #pubsub: PubSub
  readonly #ownIds: Set<number> | null
  readonly #onError: (err: unknown, event: EventInput) => void
  #pending = new Set<Promise<unknown>>()

  constructor(store: EventStore, pubsub: PubSub, opts: EventSpineOptions = {}) {
    this.store = store
    this.#pubsub = pubsub
    this.#ownIds = opts.trackOwnIds ? new Set() : null
    this.#onError = opts.onError ?? (() => {})
  }

  emit(input: EventInput): void {
    const event: Omit<SwarmEvent, 'id'> = {
      timestamp: input.timestamp ?? new Date().toISOString(),
      level: input.level ?? levelFor(input.event_type),
      category: input.category ?? categoryFor(input.event_type),
      swarm: input.swarm,
      agent: input.agent ?? null,
      event_type: input.event_type,
      message: input.message,
      metadata: input.metadata ?? {},
    }
    const live = liveMessageFor(event)
    if (live) this.#pubsub.publish(live.topic, live.event, live.payload)
    let stored: SwarmEvent | Promise<SwarmEvent>
    try {
      stored = this.store.persist(event)
    } catch (err) {
      this.#onError(err, input)
      return
    }
    if (stored instanceof Promise) {
      const p = stored.then(
        (e) => this.#published(e),
        (err) => this.#onError(err, input),
      )
      this.#pending.add(p)
      void p.finally(() => this.#pending.delete(p))
    } else {
      this.#published(stored)
    }
  }

  /**
   * A live push that is not an event: nothing is stored, so only clients of
   * this process see it (agent_output_delta; docs/websocket.md).
   */
  publishLive(topic: string, event: string, payload: unknown): void {
    this.#pubsub.publish(topic, event, payload)
  }

  #published(event: SwarmEvent): void {
    this.#ownIds?.add(event.id)
    if (event.swarm !== null) this.#pubsub.publish(topics.events(event.swarm), 'event', event)
  }

  /** Whether `claimOwn` can answer: an EventRelay must not run over a spine that does not track. */
  get tracksOwnIds(): boolean {
    return this.#ownIds !== null
  }

  /** True once for each id this process stored (the relay's de-duplication). */
  claimOwn(id: number): boolean {
    return this.#ownIds?.delete(id) ?? false
  }

  /** Resolves when every event emitted so far is stored and published. */
  async settle(): Promise<void> {
    const flush = (this.store as { flush?: () => Promise<void> }).flush
    if (flush) await flush.call(this.store)
    await Promise.all([...this.#pending])
  }
}
