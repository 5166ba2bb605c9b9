import { watch, type FSWatcher } from 'node:fs'
import type Database from 'better-sqlite3'
import type { OpenedDatabase } from './open.js'

/** The file every commit to a WAL-mode database touches; null for an in-memory one (nothing else can write it). */
export function walFile(database: Pick<OpenedDatabase, 'path'>): string | null {
  return database.path === ':memory:' ? null : `${database.path}-wal`
}

export interface ChangeWatchOptions {
  /** the database's `-wal` file (see walFile); null: the safety-net poll alone */
  file: string | null
  /** called (never re-entrantly, never twice in one tick) after a commit may have happened */
  onChange: () => void
  /** the safety net for file systems without change notifications (ms) */
  pollMs: number
  /**
   * A writer touches the file a moment before its commit becomes visible to
   * readers, so every wake is followed by more looks this much later (ms):
   * one soon for the common case, one later for a slow writer.
   */
  recheckMs?: number[]
  /**
   * With the connection of this process: wakes (not polls) are dropped unless
   * another connection committed since the last one (`PRAGMA data_version`
   * does not move for this connection's own commits).
   */
  othersOf?: Database.Database
  /** whether the poll keeps the process alive (a caller awaiting an answer needs it to) */
  keepAlive?: boolean
}

/**
 * Wakes its owner when the shared database changes, instead of a fixed poll.
 * All watches of one file in a process share one fs watcher.
 */
export class ChangeWatch {
  readonly #opts: ChangeWatchOptions
  readonly #version: (() => number) | null
  #lastVersion = -1
  #running = false
  #poll: NodeJS.Timeout | null = null
  #rechecks: NodeJS.Timeout[] = []
  #soon: NodeJS.Immediate | null = null
  #queued = false
  #subscription: Subscription | null = null

  constructor(opts: ChangeWatchOptions) {
    this.#opts = opts
    if (opts.othersOf) {
      const stmt = opts.othersOf.prepare('PRAGMA data_version').pluck()
      this.#version = () => stmt.get() as number
    } else {
      this.#version = null
    }
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    this.#resubscribe()
    this.#schedulePoll()
  }

  stop(): void {
    this.#running = false
    this.#subscription?.close()
    this.#subscription = null
    if (this.#poll) clearTimeout(this.#poll)
    for (const t of this.#rechecks) clearTimeout(t)
    if (this.#soon) clearImmediate(this.#soon)
    this.#soon = null
    this.#poll = null
    this.#rechecks = []
  }

  /** Runs onChange soon (coalesced with anything else pending this tick), whatever the database says. */
  kick(): void {
    if (this.#queued || !this.#running) return
    this.#queued = true
    setImmediate(() => {
      this.#queued = false
      if (this.#running) this.#fire()
    })
  }

  #fire(): void {
    if (this.#version) this.#lastVersion = this.#version()
    this.#opts.onChange()
  }

  #othersCommitted(): boolean {
    if (!this.#version) return true
    try {
      return this.#version() !== this.#lastVersion
    } catch {
      return true
    }
  }

  #woken(): void {
    if (!this.#running) return
    if (this.#othersCommitted()) this.kick()
    // The writer is usually done a loop turn later: look again then, before the timers.
    if (!this.#soon) {
      this.#soon = setImmediate(() => {
        this.#soon = null
        if (this.#running && this.#othersCommitted()) this.kick()
      })
    }
    // Many notifications per commit share one series of looks.
    if (this.#rechecks.length > 0) return
    const delays = this.#opts.recheckMs ?? [1, 5]
    this.#rechecks = delays.map((ms, i) => {
      const timer = setTimeout(() => {
        if (i === delays.length - 1) this.#rechecks = []
        if (this.#running && this.#othersCommitted()) this.kick()
      }, ms)
      if (!this.#opts.keepAlive) timer.unref()
      return timer
    })
  }

  /** A watcher lost to a replaced file (or a file not there yet) is re-established by the next poll. */
  #resubscribe(): void {
    if (!this.#opts.file || this.#subscription?.alive) return
    this.#subscription?.close()
    this.#subscription = subscribe(this.#opts.file, () => this.#woken())
  }

  #schedulePoll(): void {
    if (!this.#running) return
    this.#poll = setTimeout(() => {
      this.#poll = null
      this.kick()
      this.#resubscribe()
      this.#schedulePoll()
    }, this.#opts.pollMs)
    if (!this.#opts.keepAlive) this.#poll.unref()
  }
}

/**
 * Polls `check` on every change of the database and on a safety-net poll
 * until it returns a value; `check` may throw to give up.
 */
export function untilChanged<T>(
  file: string | null,
  check: () => T | null | undefined | false,
  opts: { timeoutMs: number; pollMs?: number; onTimeout: () => Error },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const deadline = Date.now() + opts.timeoutMs
    let done = false
    const finish = (fn: () => void) => {
      done = true
      watcher.stop()
      clearTimeout(timeout)
      fn()
    }
    const look = (): void => {
      if (done) return
      try {
        const value = check()
        if (value) finish(() => resolve(value))
        else if (Date.now() >= deadline) finish(() => reject(opts.onTimeout()))
      } catch (err) {
        finish(() => reject(err))
      }
    }
    const watcher = new ChangeWatch({ file, onChange: look, pollMs: opts.pollMs ?? 250, keepAlive: true })
    const timeout = setTimeout(look, opts.timeoutMs + 1)
    watcher.start()
    look()
  })
}

interface Shared {
  watcher: FSWatcher | null
  listeners: Set<() => void>
}

const shared = new Map<string, Shared>()

interface Subscription {
  readonly alive: boolean
  close(): void
}

/** One fs watcher per file and process; null when the file cannot be watched now. */
function subscribe(file: string, listener: () => void): Subscription | null {
  let entry = shared.get(file)
  if (!entry) {
    entry = { watcher: null, listeners: new Set() }
    const it = entry
    try {
      const w = watch(file, { persistent: false }, (type) => {
        // The file was replaced (all connections closed, then reopened): every
        // subscriber is dropped and re-subscribes on its next poll.
        if (type === 'rename') drop(file, it)
        for (const l of [...it.listeners]) l()
      })
      w.on('error', () => drop(file, it))
      it.watcher = w
    } catch {
      // No such file yet, or no watch support: the polls alone still see every change.
      return null
    }
    shared.set(file, entry)
  }
  const it = entry
  it.listeners.add(listener)
  return {
    get alive() {
      return it.watcher !== null
    },
    close() {
      it.listeners.delete(listener)
      if (it.listeners.size === 0) drop(file, it)
    },
  }
}

function drop(file: string, entry: Shared): void {
  entry.watcher?.close()
  entry.watcher = null
  if (shared.get(file) === entry) shared.delete(file)
}
