import { untilChanged } from '../db/change-watch.js'
import { isPidAlive, type SwarmRecord, type SwarmRegistry } from '../db/registry.js'
import { GenswarmsError, errors } from '../errors.js'
import { checkFailure, resultChecks, type DaemonOp, type Payload, type Result } from './protocol.js'

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
  // Only the safety net: the wait wakes on the database's changes.
  const pollMs = opts.pollMs ?? 250
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
  // The daemon's last commit marks its row stopped: that change wakes the wait.
  return untilChanged(registry.changeFile, () => {
    const now = registry.get(name)
    if (!now || now.status !== 'running' || now.pid !== pid) return now ?? { ...record, status: 'stopped' as const }
    return null
  }, { timeoutMs, pollMs, onTimeout: () => errors.timeout(`daemon of swarm "${name}" (pid ${pid}) to stop`) })
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
 * failed so no daemon acts on it long after the caller gave up. The answer is
 * checked against the op's result schema: the row was written by another
 * process, perhaps another version of this program.
 */
export async function runDaemonCommand<K extends DaemonOp>(
  registry: SwarmRegistry,
  swarm: string,
  op: K,
  payload: Payload<K>,
  opts: DaemonCommandOptions,
): Promise<Result<K>> {
  const command = registry.enqueueCommand(swarm, op, payload)
  const giveUp = (): never => {
    registry.finishCommand(command.id, { error: 'no daemon took the command in time' })
    throw registry.get(swarm)?.status === 'running' ? errors.timeout(`the daemon of swarm "${swarm}" to ${opts.what}`) : errors.swarmNotRunning(swarm)
  }
  // The daemon's commit of the answer wakes the wait; the poll is only the safety net.
  const row = await untilChanged(registry.changeFile, () => {
    const row = registry.getCommand(command.id)
    if (row && row.status !== 'pending') return row
    if (registry.get(swarm)?.status !== 'running') giveUp()
    return null
  }, { timeoutMs: opts.timeoutMs ?? 10_000, pollMs: opts.pollMs ?? 250, onTimeout: () => {
    try {
      return giveUp()
    } catch (err) {
      return err as Error
    }
  } })
  if (row.status === 'failed') throw failureOf(row.result, swarm, opts.what)
  const answer = resultChecks[op](row.result)
  if (answer.ok) return answer.value
  throw errors.commandFailed(swarm, `${opts.what}: its answer has ${answer.refusal.field ?? 'a value'} that ${answer.refusal.message}`)
}

/** The daemon's own error when it stored one (code, status and message), else a generic failure. */
function failureOf(result: unknown, swarm: string, what: string): GenswarmsError {
  const failure = checkFailure(result)
  if (!failure.ok) return errors.commandFailed(swarm, what)
  const { error, code, statusCode } = failure.value
  return new GenswarmsError(code ?? errors.commandFailed.code, error, { statusCode: statusCode ?? 500 })
}
