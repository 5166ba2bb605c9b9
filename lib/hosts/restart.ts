import type { ResolvedConfig } from '../config/source.js'
import type { LocalReach, RestartOutcome } from './types.js'

/** Deletes the swarm's row, events, queues and overlay. */
export async function purge(reach: LocalReach, name: string): Promise<void> {
  // Events emitted by the stop itself are still in the write buffer; flush them so none outlive the purge.
  await reach.manager.spine.settle()
  reach.registry.remove(name, { purge: true })
}

/**
 * The tail every restart into this process shares: the config was read
 * before anything stopped (a swarm whose config became unusable keeps
 * running), then stop, optionally purge, start.
 */
export async function startHereAfter(
  reach: LocalReach,
  name: string,
  source: ResolvedConfig,
  stop: () => Promise<void>,
  clean: boolean,
): Promise<RestartOutcome> {
  await stop()
  if (clean) await purge(reach, name)
  const started = await reach.manager.start(source.config, { configPath: source.configPath })
  return { host: 'in_process', agents: started.agents.map((a) => a.name), failed: started.failed }
}
