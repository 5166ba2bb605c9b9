import type { Edge } from './types.js'

/**
 * `*` as an edge end stands for every agent and object of the swarm, those
 * added later included, never the node itself and never a system object that
 * is not declared as an object. `["*", "*"]` is a full mesh: one rule, not
 * n·(n−1) edges, so a 1,000-agent mesh is stored, validated and reported in
 * the size of its node list.
 */
export const ANY_NODE = '*'

/** The nodes of a swarm a wildcard stands for. */
export interface NodeSet {
  has(name: string): boolean
  names(): Iterable<string>
}

/**
 * Whether `from` may write to `to`: an edge naming both, or a wildcard rule
 * covering them. `own` are the ends of `from`'s edges, `fromAny` the ends of
 * the `*` rules (`["*", x]`).
 */
export function edgeAllows(from: string, to: string, own: ReadonlySet<string> | undefined, fromAny: ReadonlySet<string> | undefined, nodes: NodeSet): boolean {
  // `*` names a rule, never a node one can write to.
  if (to === ANY_NODE) return false
  if (own?.has(to)) return true
  if (from === to) return false
  if (own?.has(ANY_NODE) && nodes.has(to)) return true
  if (!fromAny || !nodes.has(from)) return false
  return fromAny.has(to) || (fromAny.has(ANY_NODE) && nodes.has(to))
}

/** Every node `from` may write to, its own edges first, each once. */
export function expandTargets(from: string, own: ReadonlySet<string> | undefined, fromAny: ReadonlySet<string> | undefined, nodes: NodeSet): string[] {
  const anyApplies = fromAny !== undefined && nodes.has(from)
  const everyNode = own?.has(ANY_NODE) || (anyApplies && fromAny.has(ANY_NODE))
  const out = new Set<string>()
  for (const to of own ?? []) if (to !== ANY_NODE) out.add(to)
  if (anyApplies) for (const to of fromAny) if (to !== ANY_NODE && to !== from) out.add(to)
  if (everyNode) for (const to of nodes.names()) if (to !== from) out.add(to)
  return [...out]
}

/**
 * `from`'s targets as the topology states them: a wildcard stays `*`, so a
 * status lists a mesh in the size of its node list rather than its edges.
 */
export function symbolicTargets(from: string, own: ReadonlySet<string> | undefined, fromAny: ReadonlySet<string> | undefined, nodes: NodeSet): string[] {
  if (!fromAny || !nodes.has(from)) return own ? [...own] : []
  const out = new Set<string>(own)
  for (const to of fromAny) if (to !== from) out.add(to)
  return [...out]
}

/** Edges grouped by their start, in order: the form the functions above read. */
export function adjacencyOf(edges: Iterable<Edge>): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>()
  for (const { from, to } of edges) {
    let targets = map.get(from)
    if (!targets) map.set(from, (targets = new Set()))
    targets.add(to)
  }
  return map
}
