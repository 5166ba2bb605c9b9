import type { Statement } from 'better-sqlite3'
import type { OpenedDatabase } from '../db/open.js'
import type { Category, Level } from './taxonomy.js'
import type { EventQuery, EventStore, SwarmEvent } from './types.js'

export const MAX_QUERY_LIMIT = 1000
const DEFAULT_QUERY_LIMIT = 100

/** A row as SQLite returns it (the table is `events` in lib/db/schema.ts). */
interface Row {
  id: number
  timestamp: string
  level: string
  category: string
  swarm: string | null
  agent: string | null
  event_type: string
  message: string
  metadata: string | null
}

const COLUMNS = 'id, timestamp, level, category, swarm, agent, event_type, message, metadata'

function toEvent(row: Row): SwarmEvent {
  return {
    id: row.id,
    timestamp: row.timestamp,
    level: row.level as Level,
    category: row.category as Category,
    swarm: row.swarm,
    agent: row.agent,
    event_type: row.event_type,
    message: row.message,
    metadata: row.metadata === null ? {} : ((JSON.parse(row.metadata) as Record<string, unknown> | null) ?? {}),
  }
}

/** The filters of an EventQuery, in the order their conditions are written. */
const FILTERS = [
  ['swarm', 'swarm = ?'],
  ['agent', 'agent = ?'],
  ['level', 'level = ?'],
  ['category', 'category = ?'],
  ['event_type', 'event_type = ?'],
] as const

export function clampLimit(limit: number | undefined, fallback = DEFAULT_QUERY_LIMIT): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback
  return Math.max(1, Math.min(MAX_QUERY_LIMIT, Math.trunc(limit)))
}

/** Synchronous EventStore over the shared SQLite file. */
export class SqliteEventStore implements EventStore {
  readonly #database: OpenedDatabase
  readonly #insert: Statement
  readonly #since: Statement
  readonly #max: Statement
  /**
   * One prepared statement per shape of query (which filters, which order):
   * a handful of shapes serve every REST and socket read, so nothing is
   * rebuilt or re-prepared per request.
   */
  readonly #queries = new Map<string, Statement>()
  readonly #insertMany: (batch: Omit<SwarmEvent, 'id'>[]) => SwarmEvent[]

  constructor(database: OpenedDatabase) {
    this.#database = database
    const sqlite = database.sqlite
    this.#insert = sqlite.prepare(
      'INSERT INTO events (timestamp, level, category, swarm, agent, event_type, message, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    this.#since = sqlite.prepare(`SELECT ${COLUMNS} FROM events WHERE id > ? ORDER BY id ASC LIMIT ?`)
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
    const where: string[] = []
    const params: unknown[] = []
    let shape = ''
    for (const [key, condition] of FILTERS) {
      const value = q[key]
      if (!value) continue
      where.push(condition)
      params.push(value)
      shape += `${key},`
    }
    if (q.minutes !== undefined && q.minutes > 0) {
      where.push('timestamp >= ?')
      params.push(new Date(Date.now() - q.minutes * 60_000).toISOString())
      shape += 'm'
    }
    if (q.afterId !== undefined) {
      where.push('id > ?')
      params.push(q.afterId)
      shape += '>'
    }
    if (q.beforeId !== undefined) {
      where.push('id < ?')
      params.push(q.beforeId)
      shape += '<'
    }
    const order = q.afterId !== undefined ? 'ASC' : 'DESC'
    shape += order
    let statement = this.#queries.get(shape)
    if (!statement) {
      const clause = where.length ? ` WHERE ${where.join(' AND ')}` : ''
      statement = this.#database.sqlite.prepare(`SELECT ${COLUMNS} FROM events${clause} ORDER BY id ${order} LIMIT ?`)
      this.#queries.set(shape, statement)
    }
    return (statement.all(...params, clampLimit(q.limit)) as Row[]).map(toEvent)
  }

  eventsSince(id: number, limit = MAX_QUERY_LIMIT): SwarmEvent[] {
    return (this.#since.all(id, limit) as Row[]).map(toEvent)
  }

  maxEventId(): number {
    return this.#max.get() as number
  }

  close(): void {}
}
