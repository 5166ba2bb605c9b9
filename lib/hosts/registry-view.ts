import type { SwarmConfig } from '../config/types.js'
import { validateConfig } from '../config/validate.js'
import type { SwarmRecord, SwarmRegistry } from '../db/registry.js'
import { errors } from '../errors.js'
import { ANY_NODE, adjacencyOf, symbolicTargets } from '../config/topology.js'
import { replayOverlay } from '../swarm/mutations.js'

/** A swarm known from its registry row only: it runs (or ran) in another process. */
export interface RegistrySwarmStatus {
  name: string
  status: SwarmRecord['status'] | 'paused'
  source: 'daemon'
  pid: number | null
  started_at: string | null
  stopped_at: string | null
  config_path: string | null
  log_path: string | null
  agents: { name: string; state: 'unknown'; backend: string; tokens: AgentTokens; budget: { max_tokens: number } | null }[]
  topology: { from: string; targets: string[] }[]
  /** queued tasks not yet answered: waiting for the daemon, or taken and not finished */
  pending_tasks: number
  /** summed from the agent_usage events the daemon stored since it started */
  tokens: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
  budget: { max_tokens: number } | null
}

type AgentTokens = { prompt_tokens: number; completion_tokens: number; total_tokens: number; turns: number }

/** Seed config plus overlay, rebuilt from the registry. */
export function storedConfig(registry: SwarmRegistry, record: SwarmRecord): SwarmConfig {
  const seed = validateConfig(record.config)
  if (!seed.ok) throw errors.invalidInput(`stored config of swarm "${record.name}" is no longer valid: ${seed.errors.join('; ')}`)
  return replayOverlay(seed.config, registry.overlay(record.name)).config
}

/** The stored config, or null when it is unusable: a status still answers. */
export function storedConfigOrNull(registry: SwarmRegistry, record: SwarmRecord): SwarmConfig | null {
  try {
    return storedConfig(registry, record)
  } catch {
    return null
  }
}

export function registryStatus(registry: SwarmRegistry, record: SwarmRecord): RegistrySwarmStatus {
  const config = storedConfigOrNull(registry, record)
  const agents = config?.agents ?? []
  const tokens = registry.tokenTotals(record.name, record.started_at)
  const none: AgentTokens = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, turns: 0 }
  const sum = (key: 'prompt_tokens' | 'completion_tokens' | 'total_tokens') => [...tokens.values()].reduce((n, t) => n + t[key], 0)
  return {
    name: record.name,
    status: record.status,
    source: 'daemon',
    pid: record.pid,
    started_at: record.started_at,
    stopped_at: record.stopped_at,
    config_path: record.config_path,
    log_path: record.log_path,
    agents: agents.map((a) => ({ name: a.name, state: 'unknown', backend: a.backend.type, tokens: tokens.get(a.name) ?? none, budget: a.budget ?? null })),
    topology: statedTopology(config),
    pending_tasks: registry.countPendingTasks(record.name),
    tokens: { prompt_tokens: sum('prompt_tokens'), completion_tokens: sum('completion_tokens'), total_tokens: sum('total_tokens') },
    budget: config?.budget ?? null,
  }
}

/** Each agent's targets as the config states them (a wildcard stays `*`), like an in-process status. */
function statedTopology(config: SwarmConfig | null): { from: string; targets: string[] }[] {
  if (!config) return []
  const adjacency = adjacencyOf(config.topology)
  const names = new Set([...config.agents.map((a) => a.name), ...config.objects.map((o) => o.name)])
  const nodes = { has: (name: string) => names.has(name), names: () => names }
  return config.agents.map((a) => ({ from: a.name, targets: symbolicTargets(a.name, adjacency.get(a.name), adjacency.get(ANY_NODE), nodes) }))
}
