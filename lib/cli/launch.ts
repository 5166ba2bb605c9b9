import { loadConfigFile, type SwarmConfig } from '../config/index.js'
import { isPidAlive, type SwarmRecord } from '../db/registry.js'
import { stopDaemon } from '../daemon/control.js'
import { readServerPid } from '../daemon/server-pid.js'
import { launchDaemon as launchDetachedDaemon } from '../daemon/launch.js'
import { GenswarmsError, errors, isGenswarmsError } from '../errors.js'
import { until } from './command.js'
import { ServerClient } from './http.js'
import type { CliContext } from './context.js'

const STOP_TIMEOUT_MS = 20_000

/** Launches the daemon (lib/daemon/launch.ts) with a spinner on a terminal while it registers. */
export async function launchDaemon(ctx: CliContext, configPath: string, swarm: string): Promise<{ pid: number; logPath: string }> {
  const progress = ctx.out.progress(`starting swarm ${swarm}…`)
  try {
    return await launchDetachedDaemon({
      entry: ctx.entry,
      configPath,
      swarm,
      dbPath: ctx.dbPath,
      cwd: ctx.cwd,
      env: ctx.env,
      registry: ctx.engine().registry,
      onSpawn: (pid) => progress.update(`starting swarm ${swarm} (pid ${pid})…`),
    })
  } finally {
    progress.done()
  }
}

/**
 * SIGTERM to the daemon, then wait until its row is no longer running and its
 * process is gone, so its last events are flushed when this returns.
 */
export async function stopDaemonProcess(ctx: CliContext, swarm: string): Promise<void> {
  const registry = ctx.engine().registry
  const pid = registry.get(swarm)?.pid ?? null
  const progress = ctx.out.progress(`stopping swarm ${swarm}${pid ? ` (pid ${pid})` : ''}…`)
  try {
    await stopDaemon(registry, swarm, { timeoutMs: STOP_TIMEOUT_MS })
    if (pid !== null && pid !== process.pid) {
      await until(() => !isPidAlive(pid), {
        timeoutMs: STOP_TIMEOUT_MS,
        onTimeout: () => errors.timeout(`daemon of swarm "${swarm}" (pid ${pid}) to exit`),
      })
    }
  } finally {
    progress.done()
  }
}

/**
 * The server whose process runs `swarm` in process, if one answers: such a
 * swarm must be managed over HTTP, since signalling its pid would stop the
 * whole server. Throws when the swarm's row names the server `genswarms up`
 * started but that server does not answer.
 */
export async function hostingServer(ctx: CliContext, swarm: string, pid: number | null): Promise<ServerClient | null> {
  const server = ctx.server()
  if (await server.answers()) {
    const answer = await server.request<{ source?: string }>('GET', `/api/swarms/${encodeURIComponent(swarm)}`)
    if (answer.status === 200 && answer.body.source === 'in_process') return server
    return null
  }
  const recorded = readServerPid(ctx.dbPath)
  if (recorded && recorded.pid === pid) throw errors.serverUnavailable(recorded.url, `runs swarm "${swarm}" (pid ${pid}) but does not answer`)
  return null
}

/**
 * Whether a running swarm's row carries the pid of the server `genswarms up`
 * started: then it lives inside that server, not in a daemon of its own.
 */
export function runsInServer(ctx: CliContext, pid: number | null): boolean {
  const server = readServerPid(ctx.dbPath)
  return server !== null && pid === server.pid
}

/** A config file, validated; invalid ones fail naming the file, with every error listed as details. */
export async function loadConfig(path: string, shownAs: string = path): Promise<SwarmConfig> {
  try {
    return await loadConfigFile(path)
  } catch (err) {
    if (!isGenswarmsError(err) || err.code !== errors.invalidConfig.code || !Array.isArray(err.details)) throw err
    const n = err.details.length
    throw new GenswarmsError(err.code, `${shownAs} is not a valid swarm config (${n} error${n === 1 ? '' : 's'}):`, { statusCode: 400, details: err.details })
  }
}

/** A running swarm's record, or the error that says why there is none (naming a crash as such). */
export function runningRecord(ctx: CliContext, swarm: string): SwarmRecord {
  const record = ctx.engine().registry.get(swarm)
  if (!record) throw errors.swarmNotFound(swarm)
  if (record.status !== 'running') {
    throw new GenswarmsError(errors.swarmNotRunning.code, `swarm "${swarm}" is not running (${record.status})`, { statusCode: 409 })
  }
  return record
}
