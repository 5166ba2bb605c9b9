import { and, asc, count, desc, eq, gt, inArray, max, sql } from 'drizzle-orm'
import type { Statement } from 'better-sqlite3'
import { readFileSync } from 'node:fs'
import type { Db, OpenedDatabase } from './open.js'
import { walFile } from './change-watch.js'
import { events, swarmCommands, swarmOverlays, swarms, tasks } from './schema.js'

export type SwarmRowStatus = 'running' | 'stopped' | 'crashed'

export interface SwarmRecord {
  name: string
  status: SwarmRowStatus
  pid: number | null
  config_path: string | null
  config: Record<string, unknown> | null
  log_path: string | null
  started_at: string | null
  stopped_at: string | null
}

/** What a list shows of a swarm row: no config is read, so a row with an unreadable one still lists. */
export interface SwarmRowSummary {
  name: string
  status: SwarmRowStatus
  pid: number | null
  agents: number
  started_at: string | null
}

export interface QueuedTask {
  id: number
  swarm: string
  agent: string
  task: string
  status: 'pending' | 'processed' | 'failed'
  error: string | null
  created_at: string
  processed_at: string | null
  /** how many times a daemon handed it to its agent (above 1: redelivered after a crash) */
  attempts: number
}

export type TaskStatus = QueuedTask['status']

export interface SwarmCommand {
  id: number
  swarm: string
  op: string
  payload: Record<string, unknown>
  status: 'pending' | 'processed' | 'failed'
  result: unknown
  created_at: string
  processed_at: string | null
}

export interface OverlayEntry {
  swarm: string
  seq: number
  op: string
  payload: Record<string, unknown>
  created_at: string
}

const now = () => new Date().toISOString()

/** A row stored `running` whose process (not this one) is gone. */
function isCrashed(row: { status: SwarmRowStatus; pid: number | null }): boolean {
  return row.status === 'running' && row.pid !== null && row.pid !== process.pid && !isPidAlive(row.pid)
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  return !isZombie(pid)
}

/**
 * A killed daemon whose parent never reaps it (an orphan under an init that
 * does not wait(), as in many containers) still answers kill(pid, 0); on
 * Linux /proc tells that it is dead.
 */
function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // "pid (comm) S ...": comm may itself contain parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z'
  } catch {
    return false
  }
}

/**
 * The shared view of swarms across processes: the `swarms` rows, the task and
 * command queues daemons poll, and the runtime-mutation overlays.
 */
export class SwarmRegistry {
  readonly #db: Db
  /** Statements of the hot read paths (list, status), prepared once: building a drizzle query per request cost more than running it. */
  readonly #hot: {
    summaries: Statement<[], { name: string; status: SwarmRowStatus; pid: number | null; agent_count: number | null; started_at: string | null }>
    pendingTasks: Statement<[string], { n: number }>
    setAgentCount: Statement<[number, string]>
  }
  /** the file whose changes tell a waiter that some process committed (see lib/db/change-watch.ts) */
  readonly changeFile: string | null
  readonly #withPendingWork: () => string[]

  constructor(database: OpenedDatabase) {
    this.#db = database.db
    const raw = database.sqlite
    this.#hot = {
      summaries: raw.prepare('SELECT name, status, pid, agent_count, started_at FROM swarms ORDER BY name'),
      pendingTasks: raw.prepare("SELECT count(*) AS n FROM tasks WHERE swarm = ? AND status = 'pending'"),
      setAgentCount: raw.prepare('UPDATE swarms SET agent_count = ? WHERE name = ?'),
    }
    this.changeFile = walFile(database)
    // Read on every wake of a server's queue consumer: prepared once, answered from the pending-row indexes.
    const pendingWork = raw.prepare(
      "SELECT swarm FROM tasks WHERE status = 'pending' UNION SELECT swarm FROM swarm_commands WHERE status = 'pending'",
    ).pluck()
    this.#withPendingWork = () => pendingWork.all() as string[]
  }

  /** The swarms that have a pending task or command. */
  swarmsWithPendingWork(): string[] {
    return this.#withPendingWork()
  }

  // ── swarms ────────────────────────────────────────────────────────────────

  /** `agentCount` defaults to the config's agents; the host that applies an overlay passes the effective count. */
  register(rec: { name: string; pid?: number | null; configPath?: string | null; config?: Record<string, unknown> | null; logPath?: string | null; agentCount?: number }): void {
    const seedAgents = rec.config?.agents
    const row = {
      name: rec.name,
      status: 'running' as const,
      pid: rec.pid ?? null,
      configPath: rec.configPath ?? null,
      config: rec.config ?? null,
      logPath: rec.logPath ?? null,
      agentCount: rec.agentCount ?? (Array.isArray(seedAgents) ? seedAgents.length : null),
      startedAt: now(),
      stoppedAt: null,
    }
    this.#db.insert(swarms).values(row).onConflictDoUpdate({ target: swarms.name, set: row }).run()
  }

  /**
   * Registers `rec` unless another live process runs the swarm, in one write
   * transaction so two daemons starting at once cannot both win. Returns null
   * when claimed, else the record of the process that holds it.
   */
  claim(rec: Parameters<SwarmRegistry['register']>[0] & { pid: number }): SwarmRecord | null {
    return this.#db.transaction((tx) => {
      const row = tx.select().from(swarms).where(eq(swarms.name, rec.name)).get()
      const holder = row ? this.#present(row) : null
      if (holder?.status === 'running' && holder.pid !== rec.pid) return holder
      this.register(rec)
      return null
    }, { behavior: 'immediate' })
  }

  /** Marks a running row stopped; only the owner's pid may do so when a pid is given. */
  markStopped(name: string, pid?: number): void {
    const where = pid === undefined ? eq(swarms.name, name) : and(eq(swarms.name, name), eq(swarms.pid, pid))
    this.#db.update(swarms).set({ status: 'stopped', stoppedAt: now() }).where(where).run()
  }

  /**
   * Rows stored `running` whose process (not this one) is gone: crashed
   * daemons nobody has recorded yet.
   */
  unrecordedCrashes(): SwarmRecord[] {
    return this.#db.select().from(swarms).where(eq(swarms.status, 'running')).all()
      .filter((r) => r.pid !== null && r.pid !== process.pid && !isPidAlive(r.pid))
      .map((r) => this.#present(r))
  }

  /**
   * Stores the crash of the process `pid` running `name`; true for the one
   * caller whose conditional update changed the row, so two watchers (or two
   * passes) never both report it.
   */
  recordCrash(name: string, pid: number): boolean {
    return this.#db.update(swarms).set({ status: 'crashed', stoppedAt: now() })
      .where(and(eq(swarms.name, name), eq(swarms.status, 'running'), eq(swarms.pid, pid))).run().changes === 1
  }

  /** A `running` row whose process is gone reads as `crashed`. */
  get(name: string): SwarmRecord | null {
    const row = this.#db.select().from(swarms).where(eq(swarms.name, name)).get()
    return row ? this.#present(row) : null
  }

  list(): SwarmRecord[] {
    return this.#db.select().from(swarms).orderBy(asc(swarms.name)).all().map((r) => this.#present(r))
  }

  /** Every row as a list shows it, by name; reads no config. */
  summaries(): SwarmRowSummary[] {
    return this.#hot.summaries.all().map((r) => ({
      name: r.name,
      status: isCrashed(r) ? 'crashed' : r.status,
      pid: r.pid,
      agents: r.agent_count ?? 0,
      started_at: r.started_at,
    }))
  }

  /** After a runtime mutation: the count a list shows follows the running swarm. */
  setAgentCount(name: string, agents: number): void {
    this.#hot.setAgentCount.run(agents, name)
  }

  /** Deletes swarm rows (and, with `purge`, its events, tasks, commands and overlays). */
  remove(name: string, opts: { purge?: boolean } = {}): boolean {
    return this.#db.transaction((tx) => {
      const removed = tx.delete(swarms).where(eq(swarms.name, name)).run().changes > 0
      if (opts.purge) {
        tx.run(sql`DELETE FROM events WHERE swarm = ${name}`)
        tx.delete(tasks).where(eq(tasks.swarm, name)).run()
        tx.delete(swarmCommands).where(eq(swarmCommands.swarm, name)).run()
        tx.delete(swarmOverlays).where(eq(swarmOverlays.swarm, name)).run()
      }
      return removed
    })
  }

  #present(row: typeof swarms.$inferSelect): SwarmRecord {
    const crashed = isCrashed(row)
    return {
      name: row.name,
      status: crashed ? 'crashed' : row.status,
      pid: row.pid,
      config_path: row.configPath,
      config: row.config,
      log_path: row.logPath,
      started_at: row.startedAt,
      stopped_at: row.stoppedAt,
    }
  }

  // ── task queue ────────────────────────────────────────────────────────────

  /**
   * Queues a task; with `maxPending`, returns null instead when the agent
   * already has that many pending. Check and insert are one write
   * transaction, so two servers cannot both squeeze past the bound.
   */
  enqueueTask(swarm: string, agent: string, task: string): QueuedTask
  enqueueTask(swarm: string, agent: string, task: string, opts: { maxPending: number }): QueuedTask | null
  enqueueTask(swarm: string, agent: string, task: string, opts: { maxPending?: number } = {}): QueuedTask | null {
    return this.#db.transaction((tx) => {
      if (opts.maxPending !== undefined) {
        const pending = tx.select({ n: count() }).from(tasks)
          .where(and(eq(tasks.swarm, swarm), eq(tasks.status, 'pending'), eq(tasks.agent, agent))).get()?.n ?? 0
        if (pending >= opts.maxPending) return null
      }
      const row = tx.insert(tasks).values({ swarm, agent, task, status: 'pending', createdAt: now() }).returning().get()
      return presentTask(row)
    }, { behavior: 'immediate' })
  }

  /** Pending tasks oldest first, from the one after `afterId`. */
  pendingTasks(swarm: string, opts: { afterId?: number; limit?: number } = {}): QueuedTask[] {
    return this.#db
      .select()
      .from(tasks)
      .where(and(eq(tasks.swarm, swarm), eq(tasks.status, 'pending'), gt(tasks.id, opts.afterId ?? 0)))
      .orderBy(asc(tasks.id))
      .limit(opts.limit ?? 100)
      .all()
      .map(presentTask)
  }

  countPendingTasks(swarm: string): number {
    return this.#hot.pendingTasks.get(swarm)?.n ?? 0
  }

  /**
   * Tokens each agent's turns reported (agent_usage events) since `since`: the
   * totals of a swarm that runs in another process, read from what it stored.
   */
  tokenTotals(swarm: string, since: string | null): Map<string, { prompt_tokens: number; completion_tokens: number; total_tokens: number; turns: number }> {
    const prompt = sql<number>`coalesce(sum(json_extract(${events.metadata}, '$.prompt_tokens')), 0)`
    const completion = sql<number>`coalesce(sum(json_extract(${events.metadata}, '$.completion_tokens')), 0)`
    const where = and(eq(events.swarm, swarm), eq(events.eventType, 'agent_usage'), since ? sql`${events.timestamp} >= ${since}` : undefined)
    const rows = this.#db.select({ agent: events.agent, prompt, completion, turns: count() }).from(events).where(where).groupBy(events.agent).all()
    return new Map(rows.filter((r) => r.agent !== null).map((r) => [r.agent!, {
      prompt_tokens: Number(r.prompt), completion_tokens: Number(r.completion), total_tokens: Number(r.prompt) + Number(r.completion), turns: r.turns,
    }]))
  }

  /** A swarm's tasks, newest first, optionally of one status. */
  listTasks(swarm: string, opts: { status?: TaskStatus; limit?: number } = {}): QueuedTask[] {
    const where = opts.status ? and(eq(tasks.swarm, swarm), eq(tasks.status, opts.status)) : eq(tasks.swarm, swarm)
    return this.#db.select().from(tasks).where(where).orderBy(desc(tasks.id)).limit(opts.limit ?? 100).all().map(presentTask)
  }

  getTask(id: number): QueuedTask | null {
    const row = this.#db.select().from(tasks).where(eq(tasks.id, id)).get()
    return row ? presentTask(row) : null
  }

  /** Counts a hand-over to the agent; returns the attempts so far, this one included. */
  takeTask(id: number): number {
    const row = this.#db.update(tasks).set({ attempts: sql`${tasks.attempts} + 1` }).where(eq(tasks.id, id)).returning({ attempts: tasks.attempts }).get()
    return row?.attempts ?? 0
  }

  /** Only a pending row changes: a task failed or finished once stays so. */
  finishTask(id: number, outcome: { error?: string } = {}): void {
    this.finishTasks([id], outcome)
  }

  finishTasks(ids: number[], outcome: { error?: string } = {}): void {
    if (ids.length === 0) return
    this.#db
      .update(tasks)
      .set({ status: outcome.error ? 'failed' : 'processed', error: outcome.error ?? null, processedAt: now() })
      .where(and(inArray(tasks.id, ids), eq(tasks.status, 'pending')))
      .run()
  }

  // ── command queue ─────────────────────────────────────────────────────────

  enqueueCommand(swarm: string, op: string, payload: Record<string, unknown>): SwarmCommand {
    const row = this.#db.insert(swarmCommands).values({ swarm, op, payload, status: 'pending', createdAt: now() }).returning().get()
    return presentCommand(row)
  }

  pendingCommands(swarm: string, limit = 100): SwarmCommand[] {
    return this.#db
      .select()
      .from(swarmCommands)
      .where(and(eq(swarmCommands.swarm, swarm), eq(swarmCommands.status, 'pending')))
      .orderBy(asc(swarmCommands.id))
      .limit(limit)
      .all()
      .map(presentCommand)
  }

  getCommand(id: number): SwarmCommand | null {
    const row = this.#db.select().from(swarmCommands).where(eq(swarmCommands.id, id)).get()
    return row ? presentCommand(row) : null
  }

  /** `error` may carry the named code and HTTP status of the failure so a waiting caller can rethrow it. */
  finishCommand(id: number, outcome: { result?: unknown; error?: string | { message: string; code?: string; statusCode?: number } }): void {
    const error = typeof outcome.error === 'string' ? { message: outcome.error } : outcome.error
    this.#db
      .update(swarmCommands)
      .set({
        status: error ? 'failed' : 'processed',
        result: error ? { error: error.message, ...(error.code ? { code: error.code } : {}), ...(error.statusCode ? { statusCode: error.statusCode } : {}) } : (outcome.result ?? null),
        processedAt: now(),
      })
      .where(eq(swarmCommands.id, id))
      .run()
  }

  /** Pending commands and tasks of a swarm that is gone will never run. */
  failPending(swarm: string, reason: string): void {
    this.#db.transaction((tx) => {
      tx.update(tasks).set({ status: 'failed', error: reason, processedAt: now() })
        .where(and(eq(tasks.swarm, swarm), eq(tasks.status, 'pending'))).run()
      tx.update(swarmCommands).set({ status: 'failed', result: { error: reason }, processedAt: now() })
        .where(and(eq(swarmCommands.swarm, swarm), eq(swarmCommands.status, 'pending'))).run()
    })
  }

  // ── overlays ──────────────────────────────────────────────────────────────

  appendOverlay(swarm: string, op: string, payload: Record<string, unknown>): OverlayEntry {
    return this.#db.transaction((tx) => {
      const last = tx.select({ seq: max(swarmOverlays.seq) }).from(swarmOverlays).where(eq(swarmOverlays.swarm, swarm)).get()
      const row = { swarm, seq: (last?.seq ?? 0) + 1, op, payload, createdAt: now() }
      tx.insert(swarmOverlays).values(row).run()
      return { swarm, seq: row.seq, op, payload, created_at: row.createdAt }
    })
  }

  overlay(swarm: string): OverlayEntry[] {
    return this.#db
      .select()
      .from(swarmOverlays)
      .where(eq(swarmOverlays.swarm, swarm))
      .orderBy(asc(swarmOverlays.seq))
      .all()
      .map((r) => ({ swarm: r.swarm, seq: r.seq, op: r.op, payload: r.payload, created_at: r.createdAt }))
  }

  clearOverlay(swarm: string): number {
    return this.#db.delete(swarmOverlays).where(eq(swarmOverlays.swarm, swarm)).run().changes
  }

  /** Removes every swarm row whose status is in `statuses` (crashed is computed). */
  removeWhere(statuses: SwarmRowStatus[]): string[] {
    const doomed = this.list().filter((r) => statuses.includes(r.status)).map((r) => r.name)
    if (doomed.length) this.#db.delete(swarms).where(inArray(swarms.name, doomed)).run()
    return doomed
  }
}

function presentTask(row: typeof tasks.$inferSelect): QueuedTask {
  return {
    id: row.id, swarm: row.swarm, agent: row.agent, task: row.task, status: row.status,
    error: row.error, created_at: row.createdAt, processed_at: row.processedAt, attempts: row.attempts,
  }
}

function presentCommand(row: typeof swarmCommands.$inferSelect): SwarmCommand {
  return {
    id: row.id, swarm: row.swarm, op: row.op, payload: row.payload, status: row.status,
    result: row.result, created_at: row.createdAt, processed_at: row.processedAt,
  }
}
