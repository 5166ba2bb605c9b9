import { loadConfigFile, type SwarmConfig } from '../config/index.js'
import { readServerPid } from '../daemon/server-pid.js'
import { launchDaemon as launchDetachedDaemon } from '../daemon/launch.js'
import { GenswarmsError, errors, isGenswarmsError } from '../errors.js'
import type { CliContext } from './context.js'

/** Launches the daemon (lib/daemon/launch.ts) with a spinner on a terminal while it registers. */
export async function launchDaemon(ctx: CliContext, configPath: string, swarm: string): Promise<{ pid: number; logPath: string }> {
  return withProgress(ctx, (onProgress) => {
    onProgress(`starting swarm ${swarm}…`)
    return launchDetachedDaemon({
      entry: ctx.entry,
      configPath,
      swarm,
      dbPath: ctx.dbPath,
      cwd: ctx.cwd,
      env: ctx.env,
      registry: ctx.engine().registry,
      onSpawn: (pid) => onProgress(`starting swarm ${swarm} (pid ${pid})…`),
    })
  })
}

/** Runs `body` with a spinner on a terminal, shown from the first progress text it reports. */
export async function withProgress<T>(ctx: CliContext, body: (onProgress: (text: string) => void) => Promise<T>): Promise<T> {
  const shown: { progress: ReturnType<CliContext['out']['progress']> | null } = { progress: null }
  try {
    return await body((text) => {
      if (shown.progress) shown.progress.update(text)
      else shown.progress = ctx.out.progress(text)
    })
  } finally {
    shown.progress?.done()
  }
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
