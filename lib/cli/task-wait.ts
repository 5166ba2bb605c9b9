import { setTimeout as sleep } from 'node:timers/promises'
import { errors } from '../errors.js'
import type { EventStore, SwarmEvent } from '../events/types.js'

export interface TaskWait {
  store: EventStore
  swarm: string
  agent: string
  taskId: number | string
  /** events up to this id were written before the task was sent */
  afterId: number
  timeoutMs: number
  /** told each output of the task's turn as it is written */
  onOutput(content: string): void
}

/**
 * Follows the event store until the turn of one task ends: its outputs are
 * passed on as they come, and the agent going idle under the task's id ends
 * the wait. Every event of the turn carries `metadata.task_id`; whatever ends
 * the task without a turn (the agent dies, the daemon fails the task, the
 * swarm stops) is an error that says so, and so is the deadline passing.
 */
export async function waitForTask(w: TaskWait): Promise<{ outputs: string[] }> {
  const outputs: string[] = []
  const id = String(w.taskId)
  // The agent the task reached: a task for a scaled group's base name may go to one of its clones.
  let agent = w.agent
  const deadline = Date.now() + w.timeoutMs
  let last = w.afterId
  for (;;) {
    for (;;) {
      const batch = w.store.eventsSince(last, 500)
      for (const e of batch) {
        last = e.id
        if (e.swarm !== w.swarm) continue
        if (e.event_type === 'task_sent' && e.agent && String(e.metadata?.task_id) === id) agent = e.agent
        const verdict = judge(e, agent, id)
        if (verdict === 'output') {
          outputs.push(e.message)
          w.onOutput(e.message)
        } else if (verdict === 'done') {
          return { outputs }
        } else if (verdict) {
          throw errors.taskFailed(`task ${id} for ${w.swarm}/${w.agent} failed: ${verdict.failed}`)
        }
      }
      if (batch.length < 500) break
    }
    if (Date.now() >= deadline) throw errors.taskWaitTimeout(w.swarm, w.agent, id, w.timeoutMs / 1000)
    await sleep(100)
  }
}

function judge(e: SwarmEvent, agent: string, id: string): 'output' | 'done' | { failed: string } | null {
  const ours = e.metadata?.task_id !== undefined && String(e.metadata.task_id) === id
  if (ours) {
    if (e.event_type === 'agent_output' && e.agent === agent) return 'output'
    if (e.event_type === 'agent_status' && e.agent === agent && e.metadata.state === 'idle') return 'done'
    if (e.event_type === 'task_failed' || (e.event_type === 'agent_error' && e.agent === agent)) return { failed: e.message }
    return null
  }
  // The turn of a dying agent or a stopping swarm ends with no event of its own.
  if (e.event_type === 'agent_error' && e.agent === agent && /exited unexpectedly/.test(e.message)) return { failed: e.message }
  if (e.event_type === 'swarm_stopped' || e.event_type === 'daemon_stopped') return { failed: e.message }
  return null
}
