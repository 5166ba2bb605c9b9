import mittImport, { type Emitter } from 'mitt'

// mitt's typings describe its CommonJS build; under NodeNext the ESM default
// export (the factory itself) is typed as the module namespace.
const mitt = mittImport as unknown as typeof mittImport.default

/**
 * In-process PubSub: one mitt emitter per swarm. Topics are
 * `swarm:S`, `swarm:S:output`, `swarm:S:routing`, `swarm:S:status` and `events:S`.
 * A message is `{event, payload}`; subscribers of a topic see every message
 * published on exactly that topic.
 */
export interface PubSubMessage<P = unknown> {
  event: string
  payload: P
}

export type Handler<P = unknown> = (message: PubSubMessage<P>) => void

export const topics = {
  swarm: (swarm: string) => `swarm:${swarm}`,
  output: (swarm: string) => `swarm:${swarm}:output`,
  routing: (swarm: string) => `swarm:${swarm}:routing`,
  status: (swarm: string) => `swarm:${swarm}:status`,
  events: (swarm: string) => `events:${swarm}`,
}

/** The swarm a topic belongs to: `swarm:S...` or `events:S`. */
export function swarmOfTopic(topic: string): string {
  if (topic.startsWith('events:')) return topic.slice('events:'.length)
  if (!topic.startsWith('swarm:')) throw new Error(`not a pubsub topic: ${topic}`)
  const rest = topic.slice('swarm:'.length)
  const suffix = rest.match(/:(output|routing|status)$/)
  return suffix ? rest.slice(0, -suffix[0].length) : rest
}

type Events = Record<string, PubSubMessage>

/** One swarm's emitter, and the one copy of each of its topic names that every subscription shares. */
interface SwarmEntry {
  swarm: string
  emitter: Emitter<Events>
  names: Map<string, string>
}

/**
 * One subscription. A socket's channel holds several for as long as it is
 * joined, so the unsubscribe function handed out is an arrow over this one
 * object (and the shared topic name) rather than over the whole subscribe call.
 */
class Subscription {
  #active = true
  readonly #pubsub: PubSub
  readonly #entry: SwarmEntry
  readonly #topic: string
  readonly #handler: Handler

  constructor(pubsub: PubSub, entry: SwarmEntry, topic: string, handler: Handler) {
    this.#pubsub = pubsub
    this.#entry = entry
    this.#topic = topic
    this.#handler = handler
    entry.emitter.on(topic, handler)
  }

  cancel(): void {
    if (!this.#active) return
    this.#active = false
    this.#entry.emitter.off(this.#topic, this.#handler)
    this.#pubsub.dropIfIdle(this.#entry)
  }
}

/** A swarm's emitter exists only while somebody listens to one of its topics. */
export class PubSub {
  readonly #emitters = new Map<string, SwarmEntry>()
  /** Called when a handler throws, so one bad subscriber cannot break the publisher. */
  onHandlerError: (err: unknown, topic: string) => void = () => {}

  subscribe<P = unknown>(topic: string, handler: Handler<P>): () => void {
    const swarm = swarmOfTopic(topic)
    let entry = this.#emitters.get(swarm)
    if (!entry) {
      entry = { swarm, emitter: mitt<Events>(), names: new Map() }
      this.#emitters.set(swarm, entry)
    }
    let name = entry.names.get(topic)
    if (name === undefined) {
      name = topic
      entry.names.set(name, name)
    }
    const subscription = new Subscription(this, entry, name, handler as Handler)
    return () => subscription.cancel()
  }

  publish<P = unknown>(topic: string, event: string, payload: P): void {
    const handlers = this.#emitters.get(swarmOfTopic(topic))?.emitter.all.get(topic)
    if (!handlers || handlers.length === 0) return
    const message: PubSubMessage = { event, payload }
    for (const handler of [...handlers]) {
      try {
        ;(handler as Handler)(message)
      } catch (err) {
        this.onHandlerError(err, topic)
      }
    }
  }

  listenerCount(topic?: string): number {
    if (topic) return this.#emitters.get(swarmOfTopic(topic))?.emitter.all.get(topic)?.length ?? 0
    let n = 0
    for (const { emitter } of this.#emitters.values()) for (const hs of emitter.all.values()) n += hs.length
    return n
  }

  emitterCount(): number {
    return this.#emitters.size
  }

  /** @internal a subscription ended: the swarm's emitter goes once nobody listens to any of its topics */
  dropIfIdle(entry: SwarmEntry): void {
    for (const hs of entry.emitter.all.values()) if (hs.length > 0) return
    if (this.#emitters.get(entry.swarm) === entry) this.#emitters.delete(entry.swarm)
  }
}
