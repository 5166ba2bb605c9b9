import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as schema from './schema.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

export interface OpenedDatabase {
  path: string
  sqlite: Database.Database
  db: Db
  close(): void
}

export const DEFAULT_DB_PATH = join('.genswarms', 'swarms.db')

/** `GENSWARMS_DB`, else `.genswarms/swarms.db` under `cwd`. */
export function resolveDbPath(explicit?: string, cwd = process.cwd()): string {
  return resolve(cwd, explicit ?? process.env.GENSWARMS_DB ?? DEFAULT_DB_PATH)
}

/** Works from the TypeScript sources and from the compiled `dist/` tree alike. */
function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'drizzle')
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate
    const parent = dirname(dir)
    if (parent === dir) throw new Error('drizzle migrations folder not found')
    dir = parent
  }
}

/**
 * Opens (creating if needed) the database file in WAL mode with a 5 s busy
 * timeout and applies pending migrations. Several processes may open the same
 * file at once: drizzle reads the applied migrations before it takes the write
 * lock, so a racing first opener can fail with "already exists"; it then
 * retries and finds the migrations applied.
 */
export function openDatabase(path?: string): OpenedDatabase {
  const file = path === ':memory:' ? path : resolveDbPath(path)
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const sqlite = new Database(file)
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  const db = drizzle(sqlite, { schema }) as Db
  migrateWithRetry(db, sqlite)
  let closed = false
  return {
    path: file,
    sqlite,
    db,
    close() {
      if (closed) return
      closed = true
      sqlite.close()
    },
  }
}

function migrateWithRetry(db: Db, sqlite: Database.Database): void {
  const folder = migrationsFolder()
  for (let attempt = 0; ; attempt++) {
    try {
      migrate(db, { migrationsFolder: folder })
      return
    } catch (err) {
      const busy = err instanceof Error && /SQLITE_BUSY|already exists/.test(`${(err as { code?: string }).code} ${err.message}`)
      if (!busy || attempt >= 5) throw err
    }
  }
}
