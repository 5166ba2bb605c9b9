import { isSystemObject, type Edge } from '../config/types.js'
import type { RoutingData, TopologyEntry } from './types.js'

const MESSAGE_LOG_SIZE = 1000
const PREVIEW_LENGTH = 100

/** What the router needs from its swarm: delivery and the one place events are emitted. */
export interface RouterHost {
  readonly swarm: string
  /** hands a message to a node; false when no such node exists */
  deliver(from: string, to: string, content: string): boolean
  routed(data: RoutingData): void
  invalidRoute(from: string, to: string, allowed: string[]): void
  targetNotFound(from: string, to: string): void
}

/** Holds one swarm's adjacency map and message log; gates every message on an edge. */
export class Router {
  readonly #host: RouterHost
  readonly #adjacency = new Map<string, Set<string>>()
  readonly #log: RoutingData[] = []

  constructor(host: RouterHost, edges: Edge[]) {
    this.#host = host
    for (const edge of edges) this.addEdge(edge)
  }

  targets(from: string): string[] {
    return [...(this.#adjacency.get(from) ?? [])]
  }

  edges(): Edge[] {
    return [...this.#adjacency].flatMap(([from, tos]) => [...tos].map((to) => ({ from, to })))
  }

  hasEdge(edge: Edge): boolean {
    return this.#adjacency.get(edge.from)?.has(edge.to) ?? false
  }

  topology(nodes: string[]): TopologyEntry[] {
    return nodes.map((from) => ({ from, targets: this.targets(from) }))
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

  /** Direct message: delivered only along an edge or to a system object. */
  route(from: string, to: string, content: string): RoutingData | null {
    const allowed = this.targets(from)
    if (!allowed.includes(to) && !isSystemObject(to)) {
      this.#host.invalidRoute(from, to, allowed)
      return null
    }
    const data = this.#record(from, to, 'direct', content)
    if (!this.#host.deliver(from, to, content)) this.#host.targetNotFound(from, to)
    return data
  }

  /** Broadcast: every target of the sender, none when it has no edges. */
  broadcast(from: string, content: string): RoutingData {
    const targets = this.targets(from)
    const data = this.#record(from, targets, 'broadcast', content)
    for (const to of targets) if (!this.#host.deliver(from, to, content)) this.#host.targetNotFound(from, to)
    return data
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
      swarm: this.#host.swarm,
      from,
      to,
      type,
      content_preview: content.slice(0, PREVIEW_LENGTH),
    }
    this.#log.push(data)
    if (this.#log.length > MESSAGE_LOG_SIZE) this.#log.splice(0, this.#log.length - MESSAGE_LOG_SIZE)
    this.#host.routed(data)
    return data
  }
}
