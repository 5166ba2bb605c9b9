import { isPidAlive, type SwarmRecord, type SwarmRegistry } from '../db/registry.js'
import { errors } from '../errors.js'

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
