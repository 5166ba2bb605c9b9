import type { Edge, SwarmConfig } from '../config/types.js'
import { validateEdges } from '../config/validate.js'
import { errors } from '../errors.js'

/** Pieces the agent and object mutations share: they add and remove nodes of one graph. */

export const nodeNames = (config: SwarmConfig) => [...config.agents.map((a) => a.name), ...config.objects.map((o) => o.name)]
export const sameEdge = (a: Edge, b: Edge) => a.from === b.from && a.to === b.to
/** First occurrence of each edge, in order; linear, since a spelled-out mesh has a million edges. */
export function uniqueEdges(edges: Edge[]): Edge[] {
  const seen = new Map<string, Set<string>>()
  return edges.filter(({ from, to }) => {
    let targets = seen.get(from)
    if (!targets) seen.set(from, (targets = new Set()))
    if (targets.has(to)) return false
    targets.add(to)
    return true
  })
}

/** A `connections` / `incoming` list: node names, or an error naming the path. */
export function nameList(raw: unknown, path: string, errs: string[]): string[] {
  if (raw === undefined || raw === null) return []
  if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return raw as string[]
  errs.push(`${path}: must be a list of node names`)
  return []
}

/** The topology with a new node's outgoing and incoming edges added; unknown nodes refuse the mutation. */
export function connectNode(config: SwarmConfig, node: string, connections: string[], incoming: string[]): Edge[] {
  const edges = [...connections.map((to) => [node, to]), ...incoming.map((from) => [from, node])]
  const checked = validateEdges(edges, [...nodeNames(config), node], 'connections')
  if (!checked.ok) throw errors.invalidMutation(checked.errors)
  return uniqueEdges([...config.topology, ...checked.edges])
}

/** The topology without any edge into or out of `node`. */
export const withoutNode = (topology: Edge[], node: string) => topology.filter((e) => e.from !== node && e.to !== node)
