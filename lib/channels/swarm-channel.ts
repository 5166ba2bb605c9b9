import { isGenswarmsError } from '../errors.js'
import type { EventStore, SwarmEvent } from '../events/types.js'
import { ok, refuse, type Channel, type ChannelContext, type ChannelDefinition, type Reply } from '../phoenix/index.js'
import { topics, type PubSub, type PubSubMessage } from '../pubsub/index.js'
import type { SwarmManager } from '../swarm/manager.js'
import { eventPayload, logEntryPayload, matchesFilter, parseEventFilter, type EventFilter } from './event-payloads.js'

export const RECENT_LIMIT = 50
export const MAX_SUBSCRIPTIONS = 100

export interface SwarmChannelDeps {
  swarmManager: SwarmManager
  eventStore: EventStore
  pubsub: PubSub
}

/** The channel `swarm:<name>` of the seed's WebSocket API. */
export function swarmChannel(deps: SwarmChannelDeps): ChannelDefinition {
  return { pattern: 'swarm:*', create: (ctx) => new SwarmChannel(ctx, deps) }
}

/** Lifecycle, output, routing and status pushes flow from these PubSub topics as soon as the channel joins. */
const forwardedTopics = [topics.swarm, topics.output, topics.routing, topics.status]

type Handler = (payload: Record<string, unknown>) => Reply

class SwarmChannel implements Channel {
  readonly #ctx: ChannelContext
  readonly #deps: SwarmChannelDeps
  readonly #swarm: string
  readonly #unsubscribe: (() => void)[] = []
  // Each subscription keeps the newest id its subscribe reply returned (its
  // floor): a relay that publishes an event late must not repeat it to that
  // subscription, nor hide it from one whose reply did not include it.
  /** agent name (or null for every agent) → floor; each key is one subscription */
  readonly #logSubscriptions = new Map<string | null, number>()
  readonly #eventSubscriptions: { filter: EventFilter; floor: number }[] = []

  constructor(ctx: ChannelContext, deps: SwarmChannelDeps) {
    this.#ctx = ctx
    this.#deps = deps
    this.#swarm = ctx.topic.slice('swarm:'.length)
  }

  join(): Reply {
    if (!this.#swarm || !this.#deps.swarmManager.exists(this.#swarm)) return refuse('swarm_not_found')
    const { pubsub } = this.#deps
    for (const topic of forwardedTopics) {
      this.#unsubscribe.push(pubsub.subscribe(topic(this.#swarm), (m: PubSubMessage) => this.#ctx.push(m.event, m.payload)))
    }
    this.#unsubscribe.push(pubsub.subscribe<SwarmEvent>(topics.events(this.#swarm), (m) => this.#onEvent(m.payload)))
    return ok({ swarm: this.#swarm })
  }

  handleIn(event: string, payload: unknown): Reply {
    // A Map, not an object: an event named `constructor` or `__proto__` must not find a handler on the prototype.
    const handler = this.#handlers.get(event)
    if (!handler) return refuse('unknown_event')
    const body = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {}
    return handler(body)
  }

  terminate(): void {
    for (const off of this.#unsubscribe.splice(0)) off()
    this.#logSubscriptions.clear()
    this.#eventSubscriptions.length = 0
  }

  readonly #handlers = new Map<string, Handler>(Object.entries({
    send_task: (p) => {
      const agent = own(p, 'agent')
      const task = own(p, 'task')
      if (typeof agent !== 'string' || agent === '') return refuse('agent must be a non-empty string')
      if (typeof task !== 'string') return refuse('task must be a string')
      return this.#engineCall(() => {
        this.#deps.swarmManager.sendTask(this.#swarm, agent, task)
        return { status: 'sent' }
      })
    },

    get_status: () => this.#engineCall(() => this.#deps.swarmManager.status(this.#swarm) as unknown as Record<string, unknown>),

    subscribe_logs: (p) => {
      const agent = optionalAgent(p)
      if (agent === undefined) return refuse('agent must be a string')
      if (!this.#logSubscriptions.has(agent) && this.#logSubscriptions.size >= MAX_SUBSCRIPTIONS) return refuse('too many log subscriptions')
      const recent = this.#deps.eventStore.query({ swarm: this.#swarm, ...(agent ? { agent } : {}), limit: RECENT_LIMIT }).reverse()
      this.#logSubscriptions.set(agent, recent.at(-1)?.id ?? 0)
      return ok({ subscribed: true, agent, recent_logs: recent.map(logEntryPayload) })
    },

    unsubscribe_logs: (p) => {
      const agent = optionalAgent(p)
      if (agent === undefined) return refuse('agent must be a string')
      this.#logSubscriptions.delete(agent)
      return ok({ unsubscribed: true, agent })
    },

    subscribe_events: (p) => {
      const parsed = parseEventFilter(own(p, 'filters'))
      if (!parsed.ok) return refuse(parsed.reason)
      if (this.#eventSubscriptions.length >= MAX_SUBSCRIPTIONS) return refuse('too many event subscriptions')
      const recent = this.#deps.eventStore.query({ swarm: this.#swarm, ...parsed.filter, limit: RECENT_LIMIT }).reverse()
      this.#eventSubscriptions.push({ filter: parsed.filter, floor: recent.at(-1)?.id ?? 0 })
      return ok({ subscribed: true, filters: parsed.filter, recent_events: recent.map(eventPayload) })
    },

    unsubscribe_events: () => {
      this.#eventSubscriptions.length = 0
      return ok({ unsubscribed: true })
    },
  } satisfies Record<string, Handler>))

  #onEvent(e: SwarmEvent): void {
    // At most two subscriptions can match an event: its agent's and the all-agents one.
    const subs = this.#logSubscriptions
    const agentFloor = e.agent === null ? undefined : subs.get(e.agent)
    const allFloor = subs.get(null)
    if ((agentFloor !== undefined && e.id > agentFloor) || (allFloor !== undefined && e.id > allFloor)) {
      this.#ctx.push('log_entry', logEntryPayload(e))
    }
    if (this.#eventSubscriptions.some((s) => e.id > s.floor && matchesFilter(e, s.filter))) {
      this.#ctx.push('event', eventPayload(e))
    }
  }

  /** Engine failures answer `{reason}` in the original's inspected-atom style. */
  #engineCall(fn: () => Record<string, unknown>): Reply {
    try {
      return ok(fn())
    } catch (err) {
      if (isGenswarmsError(err)) return refuse(err.reason)
      throw err
    }
  }
}

/** `{agent: "x"}` → "x"; `{}` or `{agent: null}` → null (every agent); anything else → undefined (invalid). */
function optionalAgent(p: Record<string, unknown>): string | null | undefined {
  const agent = own(p, 'agent')
  if (agent === undefined || agent === null) return null
  return typeof agent === 'string' ? agent : undefined
}

/** A payload key the client actually sent; never one inherited from Object.prototype. */
function own(p: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(p, key) ? p[key] : undefined
}
