import { and, asc, desc, eq, gt, gte, lt, sql, type SQL } from 'drizzle-orm'
import type { Statement } from 'better-sqlite3'
import type { OpenedDatabase } from '../db/open.js'
import { events } from '../db/schema.js'
import type { Category, Level } from './taxonomy.js'
import type { EventQuery, EventStore, SwarmEvent } from './types.js'

export const MAX_QUERY_LIMIT = 1000
const DEFAULT_QUERY_LIMIT = 100

type Row = typeof events.$inferSelect

function toEvent(row: Row): SwarmEvent {
  return {
    id: row.id,
    timestamp: row.timestamp,
    level: row.level as Level,
    category: row.category as Category,
    swarm: row.swarm,
    agent: row.agent,
    event_type: row.eventType,
    message: row.message,
    metadata: row.metadata ?? {},
  }
}

export function clampLimit(limit: number | undefined, fallback = DEFAULT_QUERY_LIMIT): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback
  return Math.max(1, Math.min(MAX_QUERY_LIMIT, Math.trunc(limit)))
}

/** Synchronous EventStore over the shared SQLite file. */
export class SqliteEventStore implements EventStore {
  readonly #database: OpenedDatabase
  readonly #insert: Statement
  readonly #since
  readonly #max: Statement
  readonly #insertMany: (batch: Omit<SwarmEvent, 'id'>[]) => SwarmEvent[]

  constructor(database: OpenedDatabase) {
    this.#database = database
    const sqlite = database.sqlite
    this.#insert = sqlite.prepare(
      'INSERT INTO events (timestamp, level, category, swarm, agent, event_type, message, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    this.#since = database.db
      .select()
      .from(events)
      .where(gt(events.id, sql.placeholder('id')))
      .orderBy(asc(events.id))
      .limit(sql.placeholder('limit'))
      .prepare()
    this.#max = sqlite.prepare('SELECT COALESCE(MAX(id), 0) AS max FROM events').pluck()
    this.#insertMany = sqlite.transaction((batch: Omit<SwarmEvent, 'id'>[]) => batch.map((e) => this.#insertOne(e)))
  }

  #insertOne(e: Omit<SwarmEvent, 'id'>): SwarmEvent {
    const info = this.#insert.run(e.timestamp, e.level, e.category, e.swarm, e.agent, e.event_type, e.message, JSON.stringify(e.metadata ?? {}))
    return { id: Number(info.lastInsertRowid), ...e }
  }

  persist(event: Omit<SwarmEvent, 'id'>): SwarmEvent {
    return this.#insertOne(event)
  }

  /** One transaction for the whole batch. */
  persistMany(batch: Omit<SwarmEvent, 'id'>[]): SwarmEvent[] {
    if (batch.length === 0) return []
    return this.#insertMany(batch)
  }

  query(q: EventQuery = {}): SwarmEvent[] {
    const where: SQL[] = []
    if (q.swarm) where.push(eq(events.swarm, q.swarm))
    if (q.agent) where.push(eq(events.agent, q.agent))
    if (q.level) where.push(eq(events.level, q.level))
    if (q.category) where.push(eq(events.category, q.category))
    if (q.event_type) where.push(eq(events.eventType, q.event_type))
    if (q.minutes !== undefined && q.minutes > 0) {
      where.push(gte(events.timestamp, new Date(Date.now() - q.minutes * 60_000).toISOString()))
    }
    if (q.afterId !== undefined) where.push(gt(events.id, q.afterId))
    if (q.beforeId !== undefined) where.push(lt(events.id, q.beforeId))
    const rows = this.#database.db
      .select()
      .from(events)
      .where(where.length ? and(...where) : undefined)
      .orderBy(q.afterId !== undefined ? asc(events.id) : desc(events.id))
      .limit(clampLimit(q.limit))
      .all()
    return rows.map(toEvent)
  }

  eventsSince(id: number, limit = MAX_QUERY_LIMIT): SwarmEvent[] {
    return this.#since.all({ id, limit }).map(toEvent)
  }

  maxEventId(): number {
    return this.#max.get() as number
  }

  close(): void {}
}
