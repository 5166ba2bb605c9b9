import type { SwarmEvent } from '../events/types.js'

/** The `log_entry` payload (docs/websocket.md): an event without category and swarm. */
export function logEntryPayload(e: SwarmEvent) {
  return { id: e.id, timestamp: e.timestamp, level: e.level, agent: e.agent, event_type: e.event_type, message: e.message, metadata: e.metadata }
}

/** The `event` payload (docs/websocket.md): every field of the event. */
export function eventPayload(e: SwarmEvent) {
  return {
    id: e.id, timestamp: e.timestamp, level: e.level, category: e.category, swarm: e.swarm,
    agent: e.agent, event_type: e.event_type, message: e.message, metadata: e.metadata,
  }
}

export const FILTER_KEYS = ['level', 'category', 'event_type'] as const
export type EventFilter = Partial<Record<(typeof FILTER_KEYS)[number], string>>

/** Keeps level, category and event_type (as strings); other keys are ignored. */
export function parseEventFilter(raw: unknown): { ok: true; filter: EventFilter } | { ok: false; reason: string } {
  if (raw === undefined || raw === null) return { ok: true, filter: {} }
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'filters must be an object' }
  const filter: EventFilter = {}
  for (const key of FILTER_KEYS) {
    const value = Object.hasOwn(raw, key) ? (raw as Record<string, unknown>)[key] : undefined
    if (value === undefined || value === null) continue
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return { ok: false, reason: `filters.${key} must be a string` }
    }
    filter[key] = String(value)
  }
  return { ok: true, filter }
}

export function matchesFilter(e: SwarmEvent, filter: EventFilter): boolean {
  return FILTER_KEYS.every((key) => filter[key] === undefined || filter[key] === String(e[key]))
}
