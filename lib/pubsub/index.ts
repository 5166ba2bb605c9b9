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

/** A swarm's emitter exists only while somebody listens to one of its topics. */
export class PubSub {
  readonly #emitters = new Map<string, Emitter<Events>>()
  /** Called when a handler throws, so one bad subscriber cannot break the publisher. */
  onHandlerError: (err: unknown, topic: string) => void = () => {}

  subscribe<P = unknown>(topic: string, handler: Handler<P>): () => void {
    const swarm = swarmOfTopic(topic)
    let emitter = this.#emitters.get(swarm)
    if (!emitter) {
      emitter = mitt<Events>()
      this.#emitters.set(swarm, emitter)
    }
    const wrapped = handler as Handler
    emitter.on(topic, wrapped)
    let active = true
    return () => {
      if (!active) return
      active = false
      emitter.off(topic, wrapped)
      this.#dropIfIdle(swarm)
    }
  }

  publish<P = unknown>(topic: string, event: string, payload: P): void {
    const emitter = this.#emitters.get(swarmOfTopic(topic))
    const handlers = emitter?.all.get(topic)
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
    if (topic) return this.#emitters.get(swarmOfTopic(topic))?.all.get(topic)?.length ?? 0
    let n = 0
    for (const emitter of this.#emitters.values()) for (const hs of emitter.all.values()) n += hs.length
    return n
  }

  emitterCount(): number {
    return this.#emitters.size
  }

  #dropIfIdle(swarm: string): void {
    const emitter = this.#emitters.get(swarm)
    if (!emitter) return
    for (const hs of emitter.all.values()) if (hs.length > 0) return
    this.#emitters.delete(swarm)
  }
}
