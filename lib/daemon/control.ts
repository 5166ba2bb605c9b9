import { isPidAlive, type SwarmRecord, type SwarmRegistry } from '../db/registry.js'
import { GenswarmsError, errors } from '../errors.js'

export interface StopDaemonOptions {
  /** how long to wait for the daemon to mark itself stopped (default 5 s) */
  timeoutMs?: number
  pollMs?: number
}

/**
 * Asks the daemon process running `name` to stop (SIGTERM) and waits until its
 * registry row no longer reads `running`: the daemon marks itself stopped after
 * a clean stop, and a row whose process died reads `crashed`.
 */
export async function stopDaemon(registry: SwarmRegistry, name: string, opts: StopDaemonOptions = {}): Promise<SwarmRecord> {
  const timeoutMs = opts.timeoutMs ?? 5000
  const pollMs = opts.pollMs ?? 50
  const record = registry.get(name)
  if (!record) throw errors.swarmNotFound(name)
  if (record.status !== 'running') throw errors.swarmNotRunning(name)
  const pid = record.pid
  // A running row without a live foreign pid has nobody to signal: it is stale.
  if (pid === null || pid === process.pid || !isPidAlive(pid)) {
    registry.markStopped(name)
    return registry.get(name)!
  }
  try {
    process.kill(pid, 'SIGTERM')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const now = registry.get(name)
    if (!now || now.status !== 'running' || now.pid !== pid) return now ?? { ...record, status: 'stopped' }
    if (Date.now() >= deadline) throw errors.timeout(`daemon of swarm "${name}" (pid ${pid}) to stop`)
    await new Promise((r) => setTimeout(r, pollMs))
  }
}

export interface DaemonCommandOptions {
  /** how long to wait for the daemon's answer (default 10 s) */
  timeoutMs?: number
  pollMs?: number
  /** what the caller waits for, for the timeout message */
  what: string
}

/**
 * Queues `op` for the daemon of `swarm` and waits, bounded, for its answer.
 * A failure comes back as the daemon's own named error; on time-out the row is
 * failed so no daemon acts on it long after the caller gave up.
 */
export async function runDaemonCommand(
  registry: SwarmRegistry,
  swarm: string,
  op: string,
  payload: Record<string, unknown>,
  opts: DaemonCommandOptions,
): Promise<unknown> {
  const command = registry.enqueueCommand(swarm, op, payload)
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000)
  for (;;) {
    const row = registry.getCommand(command.id)
    if (row && row.status === 'processed') return row.result
    if (row && row.status === 'failed') {
      const failure = (row.result ?? {}) as { error?: string; code?: string; statusCode?: number }
      throw new GenswarmsError(failure.code ?? 'GS_COMMAND_FAILED', failure.error ?? `the daemon of swarm "${swarm}" could not ${opts.what}`, {
        statusCode: failure.statusCode ?? 500,
      })
    }
    if (Date.now() >= deadline || registry.get(swarm)?.status !== 'running') {
      registry.finishCommand(command.id, { error: 'no daemon took the command in time' })
      throw registry.get(swarm)?.status === 'running' ? errors.timeout(`the daemon of swarm "${swarm}" to ${opts.what}`) : errors.swarmNotRunning(swarm)
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 20))
  }
}
