import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { restartConfig } from '../config/source.js'
import { untilChanged } from '../db/change-watch.js'
import type { SwarmRecord, SwarmRegistry } from '../db/registry.js'
import { errors } from '../errors.js'
import { daemonLogPath, stateDir } from './paths.js'
import { failureReason, logTail, spawnDetached } from './spawn.js'

export const DAEMON_START_TIMEOUT_MS = 60_000

export interface LaunchOptions {
  /** argv that runs the genswarms CLI (node, its flags, the entry script) */
  entry: string[]
  configPath: string
  swarm: string
  dbPath: string
  cwd: string
  env: NodeJS.ProcessEnv
  registry: SwarmRegistry
  timeoutMs?: number
  /** told the pid as soon as the process exists (for progress output) */
  onSpawn?: (pid: number) => void
}

/**
 * Runs `genswarms start <config> --foreground` detached, output to the swarm's
 * log, and waits until the daemon has registered itself `running` with its
 * pid. If it exits first, the error it logged is the error here.
 */
export async function launchDaemon(opts: LaunchOptions): Promise<{ pid: number; logPath: string }> {
  const { swarm, registry } = opts
  const logPath = daemonLogPath(opts.dbPath, swarm)
  const child = await spawnDetached({
    command: [...opts.entry, 'start', opts.configPath, '--foreground', '--db', opts.dbPath, '--log-path', logPath],
    logPath,
    cwd: opts.cwd,
    env: opts.env,
  })
  opts.onSpawn?.(child.pid)
  const timeoutMs = opts.timeoutMs ?? DAEMON_START_TIMEOUT_MS
  try {
    // The daemon's commit of its row wakes the wait; the poll notices an early exit.
    return await untilChanged(registry.changeFile, () => {
      const record = registry.get(swarm)
      if (record?.status === 'running' && record.pid === child.pid) return { pid: child.pid, logPath }
      if (child.exit) {
        const how = child.exit.signal ? `was killed by ${child.exit.signal}` : `exited with code ${child.exit.code}`
        const reason = failureReason(logTail(logPath, child.logOffset))
        throw errors.daemonStartFailed(swarm, `it ${how}${reason ? `: ${reason}` : ''} (log: ${logPath})`)
      }
      return null
    }, {
      timeoutMs,
      pollMs: 50,
      onTimeout: () => {
        try {
          process.kill(child.pid, 'SIGTERM')
        } catch {
          // already gone
        }
        return errors.daemonStartFailed(swarm, `it did not register within ${timeoutMs / 1000} s (log: ${logPath})`)
      },
    })
  } finally {
    child.release()
  }
}

/** The config file a relaunched daemon reads (see restartConfig); a stored config is written out beside the database. */
export async function relaunchConfigPath(record: SwarmRecord, dbPath: string): Promise<string> {
  const source = await restartConfig(record)
  if (!source) throw errors.noStoredConfig(record.name)
  if (source.configPath) return source.configPath
  const path = join(stateDir(dbPath), 'configs', `${record.name}.json`)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(source.config, null, 2)}\n`)
  return path
}

/**
 * The command that runs this package's CLI from its built `dist/`, for a
 * server that was not started by the CLI (an app embedding the plugin); null
 * when there is no build to run.
 */
export function packagedCliEntry(): string[] | null {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const bin = join(dir, 'dist', 'bin', 'genswarms.js')
    if (existsSync(join(dir, 'package.json')) && existsSync(bin)) return [process.execPath, bin]
    const parent = dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}
