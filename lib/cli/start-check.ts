import type { SwarmConfig } from '../config/index.js'
import type { CliContext } from './context.js'

/** How long after a daemon registers its local agents are watched for an early death. */
export const START_SETTLE_MS = 2000

export interface DeadAgent {
  agent: string
  reason: string
}

/**
 * Agents of a freshly started daemon that failed to start or exited right
 * away (a missing script, a crash on load): the daemon itself runs on, so
 * without this the start would read as a success. Only local agents run a
 * process that can die like that; a swarm without them is not waited on.
 */
export async function deadAtStart(ctx: CliContext, config: SwarmConfig, afterId: number): Promise<DeadAgent[]> {
  const local = config.agents.filter((a) => a.backend.type === 'local').map((a) => a.name)
  if (local.length === 0) return []
  const store = ctx.engine().eventStore
  const deadline = Date.now() + START_SETTLE_MS
  const dead = new Map<string, string>()
  for (;;) {
    for (const e of store.query({ swarm: config.name, event_type: 'agent_error', afterId, limit: 1000 })) {
      if (e.agent && !dead.has(e.agent)) dead.set(e.agent, e.message)
    }
    if (dead.size >= local.length || Date.now() >= deadline) break
    await new Promise((r) => setTimeout(r, 100))
  }
  return [...dead].map(([agent, reason]) => ({ agent, reason }))
}
