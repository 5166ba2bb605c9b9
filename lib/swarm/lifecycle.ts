import { restartConfig, type ResolvedConfig } from '../config/source.js'
import { stopDaemon } from '../daemon/control.js'
import { launchDaemon, relaunchConfigPath } from '../daemon/launch.js'
import type { SwarmRecord, SwarmRegistry } from '../db/registry.js'
import { errors } from '../errors.js'
import type { EventSpine } from '../events/spine.js'
import type { SwarmManager } from './manager.js'
import type { Swarm } from './swarm.js'

/**
 * Operations that span in-process and daemon swarms (stop, restart, clean):
 * an in-process swarm is handled by the manager, a daemon swarm through its
 * registry row and its pid.
 */
export interface LifecycleDeps {
  swarmManager: SwarmManager
  registry: SwarmRegistry
  spine: EventSpine
}

/** The swarm running in this process, or a 404 / 409 that says why it is not here. */
export function localSwarm(manager: SwarmManager, name: string, what: string): Swarm {
  if (manager.has(name)) return manager.swarm(name)
  const record = manager.registry?.get(name)
  if (!record) throw errors.swarmNotFound(name)
  if (record.status === 'running') throw errors.swarmInDaemon(name, record.pid, what)
  throw errors.swarmNotRunning(name)
}

export async function stopSwarm(
  deps: LifecycleDeps,
  name: string,
  opts: { purge?: boolean; timeoutMs?: number } = {},
): Promise<'stopped' | 'purged'> {
  const { swarmManager, registry } = deps
  if (swarmManager.has(name)) {
    await swarmManager.stop(name)
  } else {
    const record = registry.get(name)
    if (!record) throw errors.swarmNotFound(name)
    if (record.status === 'running') await stopDaemon(registry, name, opts)
    else if (!opts.purge) throw errors.swarmNotRunning(name)
  }
  if (!opts.purge) return 'stopped'
  await purge(deps, name)
  return 'purged'
}

/**
 * Stops the swarm wherever it runs and starts it again where it ran (see
 * RestartOptions.daemon), from its config file as it is now, else the config
 * it last started with. With `clean`, its events, queues and overlay are
 * purged first. The config is read before anything is stopped, so a swarm
 * whose config became unusable keeps running.
 */
export type RestartOutcome =
  | { host: 'in_process'; agents: string[]; failed: { agent: string; reason: string }[] }
  | { host: 'daemon'; agents: string[]; failed: never[]; pid: number; log_path: string }

export interface RestartOptions {
  clean?: boolean
  cwd: string
  timeoutMs?: number
  /**
   * How to relaunch a swarm that last ran as a daemon (argv of the genswarms
   * CLI, and the database path it is to use); without it such a swarm is
   * restarted in this process.
   */
  daemon?: { entry: string[]; dbPath: string; env?: NodeJS.ProcessEnv } | null
}

export async function restartSwarm(deps: LifecycleDeps, name: string, opts: RestartOptions): Promise<RestartOutcome> {
  const { swarmManager, registry } = deps
  const record = registry.get(name)
  const running = swarmManager.has(name) ? swarmManager.swarm(name) : null
  if (!record && !running) throw errors.swarmNotFound(name)
  if (!running && record && opts.daemon && ranAsDaemon(record)) return relaunchDaemon(deps, record, opts, opts.daemon)
  const source = await restartSource(name, record, running)
  if (running) await swarmManager.stop(name)
  else if (record?.status === 'running') await stopDaemon(registry, name, opts)
  if (opts.clean) await purge(deps, name)
  const started = await swarmManager.start(source.config, { configPath: source.configPath })
  return { host: 'in_process', agents: started.agents.map((a) => a.name), failed: started.failed }
}

/** A daemon records the log file its output goes to; a swarm run inside a server records none. */
function ranAsDaemon(record: SwarmRecord): boolean {
  return record.pid !== process.pid && record.log_path !== null
}

async function relaunchDaemon(
  deps: LifecycleDeps,
  record: SwarmRecord,
  opts: RestartOptions,
  daemon: NonNullable<RestartOptions['daemon']>,
): Promise<RestartOutcome> {
  const { registry } = deps
  // Read the config before stopping anything, so a swarm whose config became unusable keeps running.
  const configPath = await relaunchConfigPath(record, daemon.dbPath)
  if (record.status === 'running') await stopDaemon(registry, record.name, opts)
  if (opts.clean) await purge(deps, record.name)
  const launched = await launchDaemon({
    entry: daemon.entry,
    configPath,
    swarm: record.name,
    dbPath: daemon.dbPath,
    cwd: opts.cwd,
    env: daemon.env ?? process.env,
    registry,
  })
  const agents = deps.swarmManager.effectiveConfig(record.name).agents.map((a) => a.name)
  return { host: 'daemon', agents, failed: [], pid: launched.pid, log_path: launched.logPath }
}

/** Removes every stopped or crashed swarm row; with `all`, their events, queues and overlays too. */
export async function cleanSwarms(deps: LifecycleDeps, opts: { all?: boolean } = {}): Promise<string[]> {
  const { swarmManager, registry } = deps
  const doomed = registry.list().filter((r) => r.status !== 'running' && !swarmManager.has(r.name)).map((r) => r.name)
  if (opts.all) await deps.spine.settle()
  for (const name of doomed) {
    // Tasks left pending would otherwise be delivered to a future swarm of the same name.
    if (!opts.all) registry.failPending(name, `swarm ${name} was removed`)
    registry.remove(name, { purge: opts.all === true })
  }
  return doomed
}

async function purge(deps: LifecycleDeps, name: string): Promise<void> {
  // Events emitted by the stop itself are still in the write buffer; flush them so none outlive the purge.
  await deps.spine.settle()
  deps.registry.remove(name, { purge: true })
}

async function restartSource(name: string, record: SwarmRecord | null, running: Swarm | null): Promise<ResolvedConfig> {
  const source = record ? await restartConfig(record) : null
  if (source) return source
  if (running) return { config: running.config(), configPath: running.configPath }
  throw errors.noStoredConfig(name)
}
