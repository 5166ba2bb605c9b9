import type { Category, Level } from './taxonomy.js'

/** An event as stored and as sent over every API. */
export interface SwarmEvent {
  id: number
  timestamp: string
  level: Level
  category: Category
  swarm: string | null
  agent: string | null
  event_type: string
  message: string
  metadata: Record<string, unknown>
}

/** What an emitter supplies; the spine fills in id, timestamp, level and category. */
export interface EventInput {
  swarm: string | null
  event_type: string
  message: string
  agent?: string | null
  level?: Level
  category?: Category
  metadata?: Record<string, unknown>
  timestamp?: string
}

export interface EventQuery {
  swarm?: string
  agent?: string
  level?: string
  category?: string
  event_type?: string
  /** only events of the last N minutes */
  minutes?: number
  limit?: number
  /** only ids strictly greater; the result is then oldest first (paging forward from a known id) */
  afterId?: number
  /** only ids strictly smaller (paging back from the newest) */
  beforeId?: number
}

export interface EventStore {
  /** Stores one event and returns it with its id. */
  persist(event: Omit<SwarmEvent, 'id'>): SwarmEvent | Promise<SwarmEvent>
  persistMany(events: Omit<SwarmEvent, 'id'>[]): SwarmEvent[] | Promise<SwarmEvent[]>
  /** Newest first, unless `afterId` is given (then oldest first). */
  query(q: EventQuery): SwarmEvent[]
  /** Oldest first, ids strictly greater than `id`. */
  eventsSince(id: number, limit?: number): SwarmEvent[]
  maxEventId(): number
  close(): void | Promise<void>
}
