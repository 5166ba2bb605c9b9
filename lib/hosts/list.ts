import type { SwarmSummary } from '../swarm/types.js'
import { pausedByEvents } from './pause-state.js'
import { storedConfigOrNull } from './registry-view.js'
import type { LocalReach } from './types.js'

/** Every swarm this process can name, each once: its own first, then registry rows not running here. */
export function listSwarms(reach: LocalReach): SwarmSummary[] {
  const local = reach.manager.list()
  const seen = new Set(local.map((s) => s.name))
  const remote: SwarmSummary[] = reach.registry.list()
    .filter((r) => !seen.has(r.name))
    .map((r) => ({ name: r.name, status: r.status === 'running' && pausedByEvents(reach.manager.spine.store, r.name) ? 'paused' : r.status, source: 'daemon', pid: r.pid, agents: storedConfigOrNull(reach.registry, r)?.agents.length ?? 0, started_at: r.started_at }))
  return [...local, ...remote].sort((a, b) => a.name.localeCompare(b.name))
}
