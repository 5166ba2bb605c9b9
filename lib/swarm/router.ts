import { isSystemObject, type Edge } from '../config/types.js'
import { ANY_NODE, edgeAllows, expandTargets, symbolicTargets, type NodeSet } from '../config/topology.js'
import { GroupSpread } from './groups.js'
import type { RoutingData, TopologyEntry } from './types.js'

const MESSAGE_LOG_SIZE = 1000
const PREVIEW_LENGTH = 100

/** Where a direct message goes: along an edge (or to a system object), or nowhere. */
export type RouteDecision =
  | { kind: 'deliver'; to: string; data: RoutingData }
  | { kind: 'invalid_route'; to: string; allowed: string[] }

/** A broadcast goes to every target of its sender, possibly none. */
export interface BroadcastDecision {
  targets: string[]
  data: RoutingData
}

/**
 * Holds one swarm's adjacency map and message log and decides where each
 * message goes. It delivers nothing and emits nothing: the swarm acts on its
 * decisions (docs/architecture.md, "Agents, backends and routing").
 */
export class Router {
  readonly #swarm: string
  readonly #adjacency = new Map<string, Set<string>>()
  readonly #log: RoutingData[] = []
  /** what a `*` edge end stands for (lib/config/topology.ts) */
  readonly #nodes: NodeSet
  readonly #spread = new GroupSpread()

  constructor(swarm: string, edges: Edge[], nodes: NodeSet = { has: () => false, names: () => [] }) {
    this.#swarm = swarm
    this.#nodes = nodes
    for (const edge of edges) this.addEdge(edge)
  }

  /** Every node `from` may write to, wildcards expanded. */
  targets(from: string): string[] {
    const own = this.#adjacency.get(from)
    const fromAny = this.#adjacency.get(ANY_NODE)
    if (!fromAny && !own?.has(ANY_NODE)) return own ? [...own] : []
    return expandTargets(from, own, fromAny, this.#nodes)
  }

  /** `from`'s targets with wildcards kept as `*`: what a swarm status shows. */
  statedTargets(from: string): string[] {
    return symbolicTargets(from, this.#adjacency.get(from), this.#adjacency.get(ANY_NODE), this.#nodes)
  }

  /** Whether an edge (spelled out or by a wildcard) lets `from` write to `to`. */
  allows(from: string, to: string): boolean {
    return edgeAllows(from, to, this.#adjacency.get(from), this.#adjacency.get(ANY_NODE), this.#nodes)
  }

  edges(): Edge[] {
    return [...this.#adjacency].flatMap(([from, tos]) => [...tos].map((to) => ({ from, to })))
  }

  hasEdge(edge: Edge): boolean {
    return this.#adjacency.get(edge.from)?.has(edge.to) ?? false
  }

  topology(nodes: string[]): TopologyEntry[] {
    return nodes.map((from) => ({ from, targets: this.statedTargets(from) }))
  }

  addEdge({ from, to }: Edge): boolean {
    let targets = this.#adjacency.get(from)
    if (!targets) this.#adjacency.set(from, (targets = new Set()))
    if (targets.has(to)) return false
    targets.add(to)
    return true
  }

  removeEdge({ from, to }: Edge): boolean {
    const targets = this.#adjacency.get(from)
    const removed = targets?.delete(to) ?? false
    if (targets && targets.size === 0) this.#adjacency.delete(from)
    return removed
  }

  /** Drops every edge into or out of `node`; returns them. */
  removeNode(node: string): Edge[] {
    const gone = this.edges().filter((e) => e.from === node || e.to === node)
    for (const edge of gone) this.removeEdge(edge)
    return gone
  }

  /**
   * Direct message: allowed along an edge or to a system object; an allowed one is logged.
   * Addressed to a scaled group's base name, it goes to the next member the sender has an edge to.
   */
  route(from: string, addressed: string, content: string): RouteDecision {
    const to = this.#spread.pick(addressed, (node) => this.allows(from, node))
    if (!this.allows(from, to) && !isSystemObject(to)) return { kind: 'invalid_route', to, allowed: this.targets(from) }
    return { kind: 'deliver', to, data: this.#record(from, to, 'direct', content) }
  }

  /** A reply goes back to whoever wrote, who chose the conversation; it needs no edge back. */
  reply(from: string, to: string, content: string): RouteDecision {
    return { kind: 'deliver', to, data: this.#record(from, to, 'direct', content) }
  }

  /** One leg of an ask (the question or its reply): logged as type `ask`; the caller has checked both edges. */
  ask(from: string, to: string, content: string): RoutingData {
    return this.#record(from, to, 'ask', content)
  }

  /** Broadcast: every target of the sender, none when it has no edges; always logged. */
  broadcast(from: string, content: string): BroadcastDecision {
    const targets = this.targets(from)
    return { targets, data: this.#record(from, targets, 'broadcast', content) }
  }

  messages(limit = 100): RoutingData[] {
    return this.#log.slice(-Math.max(0, limit))
  }

  get messageCount(): number {
    return this.#log.length
  }

  #record(from: string, to: string | string[], type: RoutingData['type'], content: string): RoutingData {
    const data: RoutingData = {
      timestamp: new Date().toISOString(),
      swarm: this.#swarm,
      from,
      to,
      type,
      content_preview: content.slice(0, PREVIEW_LENGTH),
    }
    this.#log.push(data)
    if (this.#log.length > MESSAGE_LOG_SIZE) this.#log.splice(0, this.#log.length - MESSAGE_LOG_SIZE)
    return data
  }
}
