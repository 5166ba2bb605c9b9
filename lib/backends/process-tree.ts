import type { LocalBackendSpec } from '../config/types.js'
import type { AgentIdentity } from './types.js'

export const DEFAULT_KILL_GRACE_MS = 2000

/** The environment every local program gets, whichever protocol it speaks (docs/architecture.md). */
export function agentEnv(spec: LocalBackendSpec, identity: AgentIdentity, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...spec.env,
    GENSWARMS_AGENT: identity.agent,
    GENSWARMS_SWARM: identity.swarm,
    GENSWARMS_SKILLS: JSON.stringify(identity.skills),
    ...(identity.model ? { GENSWARMS_MODEL: identity.model } : {}),
    ...extra,
  }
}

/** Signals a whole process group; the child was spawned `detached`, so it leads one. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // group already gone
  }
}

/**
 * SIGTERM to the group, SIGKILL once `graceMs` has passed without `exited`
 * settling, then SIGKILL again so nothing the leader left behind survives it.
 */
export async function killTree(pid: number, graceMs: number, exited: Promise<unknown>): Promise<void> {
  signalGroup(pid, 'SIGTERM')
  const killer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs)
  await exited
  clearTimeout(killer)
  signalGroup(pid, 'SIGKILL')
}
