import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const swarms = sqliteTable('swarms', {
  name: text('name').primaryKey(),
  status: text('status', { enum: ['running', 'stopped', 'crashed'] }).notNull(),
  pid: integer('pid'),
  configPath: text('config_path'),
  config: text('config', { mode: 'json' }).$type<Record<string, unknown>>(),
  logPath: text('log_path'),
  /** the running swarm's agents (seed config plus overlay), kept here so a list never parses a config */
  agentCount: integer('agent_count'),
  startedAt: text('started_at'),
  stoppedAt: text('stopped_at'),
})

export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    timestamp: text('timestamp').notNull(),
    level: text('level').notNull(),
    category: text('category').notNull(),
    swarm: text('swarm'),
    agent: text('agent'),
    eventType: text('event_type').notNull(),
    message: text('message').notNull(),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('events_swarm_idx').on(t.swarm), index('events_timestamp_idx').on(t.timestamp)],
)

export const tasks = sqliteTable(
  'tasks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    swarm: text('swarm').notNull(),
    agent: text('agent').notNull(),
    task: text('task').notNull(),
    status: text('status', { enum: ['pending', 'processed', 'failed'] }).notNull().default('pending'),
    error: text('error'),
    createdAt: text('created_at').notNull(),
    processedAt: text('processed_at'),
    /** how many times a daemon handed the task to its agent; more than one means a redelivery after a crash */
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [index('tasks_pending_idx').on(t.swarm, t.id).where(sql`status = 'pending'`)],
)

export const swarmOverlays = sqliteTable(
  'swarm_overlays',
  {
    swarm: text('swarm').notNull(),
    seq: integer('seq').notNull(),
    op: text('op').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.swarm, t.seq] })],
)

export const swarmCommands = sqliteTable(
  'swarm_commands',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    swarm: text('swarm').notNull(),
    op: text('op').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ['pending', 'processed', 'failed'] }).notNull().default('pending'),
    result: text('result', { mode: 'json' }).$type<unknown>(),
    createdAt: text('created_at').notNull(),
    processedAt: text('processed_at'),
  },
  (t) => [index('swarm_commands_pending_idx').on(t.swarm, t.id).where(sql`status = 'pending'`)],
)
