import type { EventStore, SwarmEvent } from '../events/types.js'
import { ok, refuse, type Channel, type ChannelContext, type ChannelDefinition, type Reply } from '../phoenix/index.js'
import { topics, type PubSub } from '../pubsub/index.js'
import type { SwarmManager } from '../swarm/manager.js'
import { errors, isGenswarmsError, type GenswarmsError } from '../errors.js'
import { isKnown, locate, type Awaitable, type LocalReach } from '../hosts/index.js'
import { compile } from '../operations/check.js'
import { sendTask } from '../operations/schemas.js'
import type { SendTaskInput } from '../operations/types.js'
import { eventPayload, FILTER_KEYS, logEntryPayload, matchesFilter, parseEventFilter, type EventFilter } from './event-payloads.js'
import { newestFitting, pageAfter, REPLY_ENVELOPE_BYTES } from './history.js'

export const RECENT_LIMIT = 50
export const MAX_SUBSCRIPTIONS = 100
export const DEFAULT_MAX_REPLY_BYTES = 256 * 1024
/** events in one `since` page at most, whatever their size */
export const MAX_PAGE_EVENTS = 1000

export interface SwarmChannelDeps {
  swarmManager: SwarmManager
  eventStore: EventStore
  pubsub: PubSub
  /** bytes one subscribe reply may take; its recent list is cut to fit (default 256 KiB) */
  maxReplyBytes?: number
}

/** The channel `swarm:<name>`: the WebSocket API of docs/websocket.md. */
export function swarmChannel(deps: SwarmChannelDeps): ChannelDefinition {
  return { pattern: 'swarm:*', create: (ctx) => new SwarmChannel(ctx, deps) }
}

/** Lifecycle, output, routing and status pushes flow from these PubSub topics as soon as the channel joins. */
const forwardedTopics = [topics.swarm, topics.output, topics.routing, topics.status]

type Handler = (payload: Record<string, unknown>) => Reply | Promise<Reply>

// The socket has always ignored fields it does not know, so they are dropped rather than refused.
const checkSendTask = compile<SendTaskInput>(sendTask, { dropUnknown: true })

/** The reason clients have always been sent for a bad send_task, by the first field that is wrong (agent is checked first). */
function sendTaskReason(field: string | null): string {
  return field === 'task' ? 'task must be a string' : 'agent must be a non-empty string'
}

class SwarmChannel implements Channel {
  readonly #ctx: ChannelContext
  readonly #deps: SwarmChannelDeps
  readonly #swarm: string
  readonly #reach: LocalReach
  readonly #unsubscribe: (() => void)[] = []
  // Each subscription keeps the newest id its subscribe reply returned (its
  // floor): a relay that publishes an event late must not repeat it to that
  // subscription, nor hide it from one whose reply did not include it.
  /** agent name (or null for every agent) → floor; each key is one subscription */
  readonly #logSubscriptions = new Map<string | null, number>()
  readonly #eventSubscriptions: { filter: EventFilter; floor: number }[] = []
  // Subscriptions made with `since` that have not caught up yet: nothing is
  // pushed for them, the client reads on with the next `since` instead. Only
  // the key is kept; the client holds the cursor.
  /** agent keys of log subscriptions still paging */
  readonly #logCatchUps = new Set<string | null>()
  /** filter key → filter of event subscriptions still paging */
  readonly #eventCatchUps = new Map<string, EventFilter>()
  /** bytes the recent_logs / recent_events list of one reply may take */
  readonly #listBudget: number

  constructor(ctx: ChannelContext, deps: SwarmChannelDeps) {
    this.#ctx = ctx
    this.#deps = deps
    this.#swarm = ctx.topic.slice('swarm:'.length)
    this.#reach = { manager: deps.swarmManager, registry: deps.swarmManager.registry }
    this.#listBudget = Math.max(1, (deps.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES) - REPLY_ENVELOPE_BYTES)
  }

  join(): Reply {
    if (!this.#swarm || !isKnown(this.#swarm, this.#reach)) return refuse('swarm_not_found', { code: errors.swarmNotFound.code })
    const { pubsub } = this.#deps
    for (const topic of forwardedTopics) {
      this.#unsubscribe.push(pubsub.subscribe(topic(this.#swarm), this.#ctx.forward))
    }
    this.#unsubscribe.push(pubsub.subscribe<SwarmEvent>(topics.events(this.#swarm), (m) => this.#onEvent(m.payload)))
    return ok({ swarm: this.#swarm })
  }

  handleIn(event: string, payload: unknown): Reply | Promise<Reply> {
    // A Map, not an object: an event named `constructor` or `__proto__` must not find a handler on the prototype.
    this.#handlers ??= this.#makeHandlers()
    const handler = this.#handlers.get(event)
    if (!handler) return refuseWith(errors.unknownEvent(event))
    const body = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {}
    return handler(body)
  }

  terminate(): void {
    for (const off of this.#unsubscribe.splice(0)) off()
    this.#logSubscriptions.clear()
    this.#logCatchUps.clear()
    this.#eventSubscriptions.length = 0
    this.#eventCatchUps.clear()
  }

  // Made on the first inbound event: a joined channel that only receives pushes never needs them.
  #handlers: Map<string, Handler> | null = null

  #makeHandlers(): Map<string, Handler> {
    return new Map<string, Handler>(Object.entries({
    send_task: (p) => {
      const checked = checkSendTask(p)
      if (!checked.ok) return refuseInput(sendTaskReason(checked.refusal.field))
      return this.#engineCall(() => locate(this.#swarm, this.#reach).sendTask(checked.value), () => ({ status: 'sent' }))
    },

    get_status: () => this.#engineCall(() => locate(this.#swarm, this.#reach).status(), (status) => ({ ...status })),

    subscribe_logs: (p) => {
      const agent = optionalAgent(p)
      if (agent === undefined) return refuseInput('agent must be a string')
      const since = parseSince(p)
      if (since === INVALID) return refuseInput(SINCE_REASON)
      const known = this.#logSubscriptions.has(agent) || this.#logCatchUps.has(agent)
      if (!known && this.#logSubscriptions.size + this.#logCatchUps.size >= MAX_SUBSCRIPTIONS) return refuseWith(errors.tooManySubscriptions('log'))
      const q = { swarm: this.#swarm, ...(agent ? { agent } : {}) }
      if (since === undefined) {
        const recent = newestFitting(this.#deps.eventStore, q, RECENT_LIMIT, this.#listBudget, logEntryPayload)
        this.#logCatchUps.delete(agent)
        this.#logSubscriptions.set(agent, recent.newestId)
        return ok({ subscribed: true, agent, recent_logs: recent.items, ...(recent.truncated ? { truncated: true } : {}) })
      }
      const page = pageAfter(this.#deps.eventStore, q, since, MAX_PAGE_EVENTS, this.#listBudget, logEntryPayload)
      // Until the key has caught up its pushes wait: the pages carry those events.
      this.#logSubscriptions.delete(agent)
      if (page.more) {
        this.#logCatchUps.add(agent)
      } else {
        this.#logCatchUps.delete(agent)
        this.#logSubscriptions.set(agent, page.lastId)
      }
      return ok({ subscribed: true, agent, recent_logs: page.items, more: page.more })
    },

    unsubscribe_logs: (p) => {
      const agent = optionalAgent(p)
      if (agent === undefined) return refuseInput('agent must be a string')
      this.#logSubscriptions.delete(agent)
      this.#logCatchUps.delete(agent)
      return ok({ unsubscribed: true, agent })
    },

    subscribe_events: (p) => {
      const parsed = parseEventFilter(own(p, 'filters'))
      if (!parsed.ok) return refuseInput(parsed.reason)
      const since = parseSince(p)
      if (since === INVALID) return refuseInput(SINCE_REASON)
      const filter = parsed.filter
      const key = filterKey(filter)
      const continuing = since !== undefined && (this.#eventCatchUps.has(key) || this.#eventSubscriptions.some((s) => filterKey(s.filter) === key))
      if (!continuing && this.#eventSubscriptions.length + this.#eventCatchUps.size >= MAX_SUBSCRIPTIONS) return refuseWith(errors.tooManySubscriptions('event'))
      const q = { swarm: this.#swarm, ...filter }
      if (since === undefined) {
        const recent = newestFitting(this.#deps.eventStore, q, RECENT_LIMIT, this.#listBudget, eventPayload)
        this.#eventSubscriptions.push({ filter, floor: recent.newestId })
        return ok({ subscribed: true, filters: filter, recent_events: recent.items, ...(recent.truncated ? { truncated: true } : {}) })
      }
      const page = pageAfter(this.#deps.eventStore, q, since, MAX_PAGE_EVENTS, this.#listBudget, eventPayload)
      // A live subscription with the same filters is taken over, as for logs:
      // its pushes would repeat what the pages carry.
      for (let i = this.#eventSubscriptions.length - 1; i >= 0; i--) {
        if (filterKey(this.#eventSubscriptions[i]!.filter) === key) this.#eventSubscriptions.splice(i, 1)
      }
      if (page.more) {
        this.#eventCatchUps.set(key, filter)
      } else {
        this.#eventCatchUps.delete(key)
        this.#eventSubscriptions.push({ filter, floor: page.lastId })
      }
      return ok({ subscribed: true, filters: filter, recent_events: page.items, more: page.more })
    },

    unsubscribe_events: () => {
      this.#eventSubscriptions.length = 0
      this.#eventCatchUps.clear()
      return ok({ unsubscribed: true })
    },
  } satisfies Record<string, Handler>))
  }

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

  /**
   * Engine failures answer `{reason, code}`: the reason in the original's
   * inspected-atom style, the code from lib/errors.ts. A host that answers at
   * once gets a synchronous reply, so the socket does not queue the topic's
   * next messages behind it.
   */
  #engineCall<T>(call: () => Awaitable<T>, answer: (value: T) => Record<string, unknown>): Reply | Promise<Reply> {
    const fail = (err: unknown): Reply => {
      if (isGenswarmsError(err)) return refuseWith(err)
      throw err
    }
    try {
      const value = call()
      return value instanceof Promise ? value.then((v) => ok(answer(v)), fail) : ok(answer(value))
    } catch (err) {
      return fail(err)
    }
  }
}

/** `{agent: "x"}` → "x"; `{}` or `{agent: null}` → null (every agent); anything else → undefined (invalid). */
function optionalAgent(p: Record<string, unknown>): string | null | undefined {
  const agent = own(p, 'agent')
  if (agent === undefined || agent === null) return null
  return typeof agent === 'string' ? agent : undefined
}

const INVALID = Symbol('invalid')
const SINCE_REASON = 'since must be an event id: an integer >= 0'

/** `since` absent or null → undefined (no catch-up); an id → the id; anything else → INVALID. */
function parseSince(p: Record<string, unknown>): number | undefined | typeof INVALID {
  const since = own(p, 'since')
  if (since === undefined || since === null) return undefined
  return Number.isSafeInteger(since) && (since as number) >= 0 ? (since as number) : INVALID
}

/** An error reply for a bad argument, with the stable code next to the readable reason. */
function refuseInput(reason: string): Reply {
  return refuse(reason, { code: errors.invalidInput.code })
}

/** A named error as a reply: its reason, as clients have always read it, and its code. */
function refuseWith(err: GenswarmsError): Reply {
  return refuse(err.reason, { code: err.code })
}

/** Same filter, same key, whatever order its keys came in. */
function filterKey(filter: EventFilter): string {
  return JSON.stringify(FILTER_KEYS.map((key) => filter[key] ?? null))
}

/** A payload key the client actually sent; never one inherited from Object.prototype. */
function own(p: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(p, key) ? p[key] : undefined
}
