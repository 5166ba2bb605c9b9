import { errors } from '../errors.js'
import { locate } from './locate.js'
import { purge } from './restart.js'
import type { LocalReach, RestartOptions, RestartOutcome, StopOptions, SwarmHost } from './types.js'

/**
 * Stops the swarm through its host (the one stop path of its kind); with
 * `purge`, its row, events, queues and overlay go too, which is also allowed
 * for a swarm that is no longer running.
 */
export async function stopSwarm(reach: LocalReach, name: string, opts: StopOptions & { purge?: boolean } = {}): Promise<'stopped' | 'purged'> {
  const host = locate(name, reach)
  await stopHost(host, opts)
  if (!opts.purge) return 'stopped'
  await purge(reach, name)
  return 'purged'
}

function stopHost(host: SwarmHost, opts: StopOptions & { purge?: boolean }): Promise<void> {
  if (host.running) return host.stop(opts)
  if (opts.purge) return Promise.resolve()
  throw errors.swarmNotRunning(host.name)
}

/**
 * Stops the swarm wherever it runs and starts it again where it ran (see
 * RestartOptions.daemon), from its config file as it is now, else the config
 * it last started with. With `clean`, its events, queues and overlay are
 * purged first. The config is read before anything is stopped, so a swarm
 * whose config became unusable keeps running.
 */
export function restartSwarm(reach: LocalReach, name: string, opts: RestartOptions): Promise<RestartOutcome> {
  return locate(name, reach).restart(opts)
}

/** Removes every stopped or crashed swarm row; with `all`, their events, queues and overlays too. */
export async function cleanSwarms(reach: LocalReach, opts: { all?: boolean } = {}): Promise<string[]> {
  const { manager, registry } = reach
  const doomed = registry.list().filter((r) => r.status !== 'running' && !manager.has(r.name)).map((r) => r.name)
  if (opts.all) await manager.spine.settle()
  for (const name of doomed) {
    // Tasks left pending would otherwise be delivered to a future swarm of the same name.
    if (!opts.all) registry.failPending(name, `swarm ${name} was removed`)
    // Its runtime changes go with it: a later start from the file runs what the file lists.
    if (!opts.all) registry.clearOverlay(name)
    registry.remove(name, { purge: opts.all === true })
  }
  return doomed
}
