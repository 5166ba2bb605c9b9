import type { EventStore } from '../events/types.js'

const LIFECYCLE = ['swarm_started', 'swarm_paused', 'swarm_resumed'] as const

/**
 * Whether a swarm run by another process is paused, read from the events it
 * stored: its latest pause, resume or start decides (a start is unpaused).
 */
export function pausedByEvents(store: EventStore, swarm: string): boolean {
  let latest: { id: number; type: string } | null = null
  for (const type of LIFECYCLE) {
    const [event] = store.query({ swarm, event_type: type, limit: 1 })
    if (event && (latest === null || event.id > latest.id)) latest = { id: event.id, type }
  }
  return latest?.type === 'swarm_paused'
}
