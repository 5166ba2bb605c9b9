import type { SwarmSummary } from '../swarm/types.js'
import { pausedByEvents } from './pause-state.js'
import type { LocalReach } from './types.js'

/**
 * Every swarm this process can name, each once: its own first, then registry
 * rows not running here. A row's agent count is a column of its own, so a
 * list reads and parses no config (a busy list must not cost a config parse
 * per row, and a row whose config is unreadable still lists).
 */
export function listSwarms(reach: LocalReach): SwarmSummary[] {
  const local = reach.manager.list()
  const seen = new Set(local.map((s) => s.name))
  const remote: SwarmSummary[] = reach.registry.summaries()
    .filter((r) => !seen.has(r.name))
    .map((r) => ({ name: r.name, status: r.status === 'running' && pausedByEvents(reach.manager.spine.store, r.name) ? 'paused' : r.status, source: 'daemon', pid: r.pid, agents: r.agents, started_at: r.started_at }))
  return local.length === 0 ? remote : remote.length === 0 ? local : [...local, ...remote].sort((a, b) => a.name.localeCompare(b.name))
}
