import { validateAgentSpec, validateEdges } from '../config/validate.js'
import type { AgentSpec, Edge, SwarmConfig } from '../config/types.js'
import { errors } from '../errors.js'
import { applyObjectMutation, OBJECT_MUTATION_OPS, type ObjectMutation } from '../objects/mutations.js'
import { setSkill } from '../skills/set-skill.js'
import { connectNode, nameList, nodeNames, sameEdge, uniqueEdges as unique, withoutNode } from './topology-edit.js'

/**
 * A runtime change to a swarm, as requested and as recorded in its overlay.
 * Every mutation is first applied to the config as a pure function, so an
 * invalid one is refused before anything runs, replaying an overlay is the
 * same code as applying it live, and runtime, status and snapshot agree.
 */
export type Mutation =
  | { op: 'add_agent'; spec: unknown; connections?: unknown; incoming?: unknown }
  | { op: 'remove_agent'; name: string }
  | { op: 'topology'; add?: unknown; remove?: unknown }
  | { op: 'scale'; base: string; count: number }
  | ObjectMutation
  | { op: 'set_skill'; agent: string; skill: string; content: string }

export const MUTATION_OPS = ['add_agent', 'remove_agent', 'topology', 'scale', 'set_skill', ...OBJECT_MUTATION_OPS] as const
export const MAX_SCALE = 100

export interface MutationResult {
  config: SwarmConfig
  /** the mutation in its normalised form, which is what the overlay records */
  recorded: Mutation
}


export function applyMutation(config: SwarmConfig, mutation: Mutation): MutationResult {
  if (!mutation || typeof mutation !== 'object' || !(MUTATION_OPS as readonly string[]).includes((mutation as { op?: string }).op ?? '')) {
    throw errors.invalidMutation([`op: must be one of ${MUTATION_OPS.join(', ')}`])
  }
  switch (mutation.op) {
    case 'add_agent':
      return addAgent(config, mutation)
    case 'remove_agent':
      return removeAgent(config, mutation.name)
    case 'topology':
      return editTopology(config, mutation.add, mutation.remove)
    case 'scale':
      return scale(config, mutation.base, mutation.count)
    case 'add_object':
    case 'remove_object':
    case 'configure_object':
      return applyObjectMutation(config, mutation)
    case 'set_skill':
      return setSkill(config, mutation)
  }
}


function addAgent(config: SwarmConfig, m: Extract<Mutation, { op: 'add_agent' }>): MutationResult {
  const errs: string[] = []
  const validated = validateAgentSpec(m.spec, nodeNames(config))
  if (!validated.ok) errs.push(...validated.errors)
  const connections = nameList(m.connections, 'connections', errs)
  const incoming = nameList(m.incoming, 'incoming', errs)
  if (!validated.ok || errs.length) throw errors.invalidMutation(errs)
  const spec = validated.spec
  return {
    config: { ...config, agents: [...config.agents, spec], topology: connectNode(config, spec.name, connections, incoming) },
    recorded: { op: 'add_agent', spec, connections, incoming },
  }
}

function removeAgent(config: SwarmConfig, name: unknown): MutationResult {
  if (typeof name !== 'string' || !config.agents.some((a) => a.name === name)) {
    throw errors.invalidMutation([`name: no agent named ${JSON.stringify(name)} in swarm "${config.name}"`], 404)
  }
  return {
    config: {
      ...config,
      agents: config.agents.filter((a) => a.name !== name),
      topology: withoutNode(config.topology, name),
    },
    recorded: { op: 'remove_agent', name },
  }
}

function editTopology(config: SwarmConfig, addRaw: unknown, removeRaw: unknown): MutationResult {
  const errs: string[] = []
  const nodes = nodeNames(config)
  const add = addRaw === undefined ? { ok: true as const, edges: [] } : validateEdges(addRaw, nodes, 'add')
  const remove = removeRaw === undefined ? { ok: true as const, edges: [] } : validateEdges(removeRaw, nodes, 'remove')
  if (!add.ok) errs.push(...add.errors)
  if (!remove.ok) errs.push(...remove.errors)
  if (add.ok && remove.ok) {
    if (add.edges.length === 0 && remove.edges.length === 0) errs.push('add, remove: nothing to change')
    remove.edges.forEach((e, i) => {
      if (!config.topology.some((x) => sameEdge(x, e))) errs.push(`remove[${i}]: no edge ${e.from} → ${e.to}`)
    })
  }
  if (errs.length || !add.ok || !remove.ok) throw errors.invalidMutation(errs)
  const kept = config.topology.filter((e) => !remove.edges.some((r) => sameEdge(r, e)))
  return {
    config: { ...config, topology: unique([...kept, ...add.edges]) },
    recorded: { op: 'topology', add: add.edges, remove: remove.edges },
  }
}

export function memberName(base: string, index: number): string {
  return `${base}_${index}`
}

function memberIndex(base: string, name: string): number | null {
  if (!name.startsWith(`${base}_`)) return null
  const rest = name.slice(base.length + 1)
  return /^[1-9]\d*$/.test(rest) ? Number(rest) : null
}

/**
 * Members of group `base` are `base_1 … base_n`. New members clone the spec
 * and the edges of an existing member (or of the agent named `base`);
 * members past `count` are removed with their edges.
 */
function scale(config: SwarmConfig, base: unknown, count: unknown): MutationResult {
  const errs: string[] = []
  if (typeof base !== 'string' || base === '') errs.push('base: must be an agent group name')
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_SCALE) {
    errs.push(`count: must be an integer from 0 to ${MAX_SCALE}, got ${JSON.stringify(count)}`)
  }
  if (errs.length) throw errors.invalidMutation(errs)
  const group = base as string
  const target = count as number
  const members = config.agents.filter((a) => memberIndex(group, a.name) !== null)
  const template = config.agents.find((a) => a.name === group) ?? members[0]
  if (!template) throw errors.invalidMutation([`base: no agent "${group}" or "${memberName(group, 1)}" to clone`], 404)

  let agents = config.agents.filter((a) => (memberIndex(group, a.name) ?? 0) <= target)
  const removed = new Set(config.agents.filter((a) => !agents.includes(a)).map((a) => a.name))
  let topology = config.topology.filter((e) => !removed.has(e.from) && !removed.has(e.to))
  const taken = new Set(nodeNames(config))
  for (let i = 1; i <= target; i++) {
    const name = memberName(group, i)
    if (agents.some((a) => a.name === name)) continue
    if (taken.has(name) && !removed.has(name)) throw errors.invalidMutation([`base: ${name} is taken by a node that is not an agent`])
    const clone: AgentSpec = structuredClone({ ...template, name })
    agents = [...agents, clone]
    topology = [...topology, ...cloneEdges(topology, template.name, name)]
  }
  return { config: { ...config, agents, topology: unique(topology) }, recorded: { op: 'scale', base: group, count: target } }
}

function cloneEdges(edges: Edge[], from: string, to: string): Edge[] {
  return edges.flatMap((e) => {
    if (e.from === from && e.to !== from) return [{ from: to, to: e.to }]
    if (e.to === from && e.from !== from) return [{ from: e.from, to }]
    return []
  })
}

/** The seed config with every overlay entry applied in order; entries that no longer apply are reported, not fatal. */
export function replayOverlay(seed: SwarmConfig, entries: { seq: number; op: string; payload: Record<string, unknown> }[]): {
  config: SwarmConfig
  skipped: { seq: number; reason: string }[]
} {
  let config = seed
  const skipped: { seq: number; reason: string }[] = []
  for (const entry of entries) {
    try {
      config = applyMutation(config, { ...entry.payload, op: entry.op } as Mutation).config
    } catch (err) {
      skipped.push({ seq: entry.seq, reason: err instanceof Error ? err.message : String(err) })
    }
  }
  return { config, skipped }
}
