import type { SwarmEvent } from '../events/types.js'

/**
 * The events after which a daemon stores what it has buffered at once: the
 * end of an agent's turn (its output, or its return to idle or error) and a
 * failed task. Everything a client waits for to see a turn's outcome is
 * among them, so the server's relay can push it without waiting for the
 * buffer's timer.
 */
export function endsTurn(event: Omit<SwarmEvent, 'id'>): boolean {
  switch (event.event_type) {
    case 'agent_output':
    case 'task_failed':
    case 'command_failed':
      return true
    case 'agent_status': {
      const state = event.metadata?.state
      return state === 'idle' || state === 'error' || state === 'stopped'
    }
    default:
      return false
  }
}
