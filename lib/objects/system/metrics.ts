import type { EventInput } from '../../events/types.js'

/** Reports are kept whole up to this size, so one chatty sender cannot grow the swarm's memory without bound. */
const REPORT_MAX_CHARS = 10_000

export interface TokenCount {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

export interface MetricsSnapshot {
  swarm: string
  since: string
  messages: {
    total: number
    /** per node: messages it sent and received (a broadcast counts once per target) */
    by_node: Record<string, { sent: number; received: number }>
    /** per edge, keyed `from->to` */
    by_edge: Record<string, number>
  }
  tasks: { total: number; by_agent: Record<string, number> }
  turns: { total: number; by_agent: Record<string, number> }
  /** only what backends that know their usage report (agent_usage) */
  tokens: TokenCount & { by_agent: Record<string, TokenCount> }
  /** the last message each sender sent to `metrics` */
  reports: Record<string, { content: string; at: string }>
}

type Observed = Omit<EventInput, 'swarm'>

const zeroTokens = (): TokenCount => ({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })

/**
 * The `metrics` system object. It counts from the events the swarm emits, as
 * they are emitted, so it needs no read of the event store and costs nothing
 * per query; a report is told to it where the swarm delivers to `metrics`.
 */
export class SwarmMetrics {
  readonly #swarm: string
  readonly #since = new Date().toISOString()
  readonly #messages = { total: 0, by_node: new Map<string, { sent: number; received: number }>(), by_edge: new Map<string, number>() }
  readonly #tasks = { total: 0, by_agent: new Map<string, number>() }
  readonly #turns = { total: 0, by_agent: new Map<string, number>() }
  readonly #tokens = { ...zeroTokens(), by_agent: new Map<string, TokenCount>() }
  readonly #reports = new Map<string, { content: string; at: string }>()

  constructor(swarm: string) {
    this.#swarm = swarm
  }

  observe(event: Observed): void {
    const meta = event.metadata ?? {}
    switch (event.event_type) {
      case 'message_routed':
      case 'message_broadcast': {
        const from = String(meta.from)
        const to = Array.isArray(meta.to) ? meta.to.map(String) : [String(meta.to)]
        for (const target of to) this.#message(from, target)
        return
      }
      case 'task_sent':
        if (event.agent) this.#count(this.#tasks, event.agent)
        return
      case 'agent_status':
        // A turn is one stretch of work: counted when it begins.
        if (meta.state === 'working' && event.agent) this.#count(this.#turns, event.agent)
        return
      case 'agent_usage':
        if (event.agent) this.#usage(event.agent, meta)
        return
    }
  }

  /** A message delivered to `metrics` is its sender's report. */
  report(from: string, content: string): void {
    this.#reports.set(from, { content: content.slice(0, REPORT_MAX_CHARS), at: new Date().toISOString() })
  }

  snapshot(): MetricsSnapshot {
    return {
      swarm: this.#swarm,
      since: this.#since,
      messages: { total: this.#messages.total, by_node: fromMap(this.#messages.by_node), by_edge: fromMap(this.#messages.by_edge) },
      tasks: { total: this.#tasks.total, by_agent: fromMap(this.#tasks.by_agent) },
      turns: { total: this.#turns.total, by_agent: fromMap(this.#turns.by_agent) },
      tokens: {
        prompt_tokens: this.#tokens.prompt_tokens,
        completion_tokens: this.#tokens.completion_tokens,
        total_tokens: this.#tokens.total_tokens,
        by_agent: fromMap(this.#tokens.by_agent),
      },
      reports: fromMap(this.#reports),
    }
  }

  #count(counter: { total: number; by_agent: Map<string, number> }, agent: string): void {
    counter.total += 1
    bump(counter.by_agent, agent)
  }

  #message(from: string, to: string): void {
    this.#messages.total += 1
    this.#node(from).sent += 1
    this.#node(to).received += 1
    bump(this.#messages.by_edge, `${from}->${to}`)
  }

  #node(name: string): { sent: number; received: number } {
    let node = this.#messages.by_node.get(name)
    if (!node) this.#messages.by_node.set(name, (node = { sent: 0, received: 0 }))
    return node
  }

  #usage(agent: string, meta: Record<string, unknown>): void {
    const prompt = count(meta.prompt_tokens)
    const completion = count(meta.completion_tokens)
    let own = this.#tokens.by_agent.get(agent)
    if (!own) this.#tokens.by_agent.set(agent, (own = zeroTokens()))
    for (const into of [this.#tokens, own]) {
      into.prompt_tokens += prompt
      into.completion_tokens += completion
      into.total_tokens += prompt + completion
    }
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0
}

function fromMap<V>(map: Map<string, V>): Record<string, V> {
  // Own properties, also for a key like __proto__: a plain assignment loop would not be.
  return Object.fromEntries(map)
}
