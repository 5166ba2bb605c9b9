import { SwarmRegistry } from './db/registry.js'
import { openDatabase, type OpenedDatabase } from './db/open.js'
import { BufferedEventWriter, type BufferedWriterOptions } from './events/buffered-writer.js'
import { EventSpine } from './events/spine.js'
import { SqliteEventStore } from './events/sqlite-store.js'
import type { EventStore } from './events/types.js'
import { PubSub } from './pubsub/index.js'
import { locate, type LocalReach, type SwarmHost } from './hosts/index.js'
import { SwarmManager } from './swarm/manager.js'

export interface EngineOptions {
  /** database file; `GENSWARMS_DB` or `.genswarms/swarms.db` when omitted */
  dbPath?: string
  /** buffer event writes (default) or write each event synchronously */
  buffered?: boolean | BufferedWriterOptions
  /** remember this process's own event ids for an EventRelay */
  trackOwnEvents?: boolean
  pid?: number
  logPath?: string | null
  /** where agents' skill files are read from; default `<cwd>/skills` */
  skillsDir?: string
  onError?: (err: unknown, context: string) => void
  /** the directory object handler modules must lie in (default: process.cwd()) */
  cwd?: string
}

/** Everything below HTTP, wired together: the server, daemons and tests all build one of these. */
export interface Engine {
  database: OpenedDatabase
  eventStore: EventStore
  spine: EventSpine
  pubsub: PubSub
  registry: SwarmRegistry
  swarmManager: SwarmManager
  /** what this process can reach: its own swarms and the registry (see lib/hosts) */
  reach: LocalReach
  /** the host of a swarm this process can name; swarmNotFound otherwise */
  locate(name: string): SwarmHost
  /** stops every swarm, flushes events and closes the database */
  close(): Promise<void>
}

export function createEngine(opts: EngineOptions = {}): Engine {
  const onError = opts.onError ?? (() => {})
  const database = openDatabase(opts.dbPath)
  const sqliteStore = new SqliteEventStore(database)
  const bufferedOptions = typeof opts.buffered === 'object' ? opts.buffered : {}
  const eventStore: EventStore =
    opts.buffered === false ? sqliteStore : new BufferedEventWriter(sqliteStore, { ...bufferedOptions, onError: (err) => onError(err, 'event flush') })
  const pubsub = new PubSub()
  pubsub.onHandlerError = (err, topic) => onError(err, `subscriber of ${topic}`)
  const spine = new EventSpine(eventStore, pubsub, { trackOwnIds: opts.trackOwnEvents ?? false, onError: (err) => onError(err, 'event persist') })
  const registry = new SwarmRegistry(database)
  const swarmManager = new SwarmManager({ spine, registry, pid: opts.pid ?? process.pid, logPath: opts.logPath ?? null, ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}), ...(opts.skillsDir !== undefined ? { skillsDir: opts.skillsDir } : {}) })
  const reach: LocalReach = { manager: swarmManager, registry }
  // An object's ctx.sendToSwarm enters the other swarm at its gateway, wherever that swarm runs.
  swarmManager.sendToSwarm = async (swarm, to, content) => {
    await locate(swarm, reach).sendMessage({ from: 'gateway', to, content })
  }
  let closing: Promise<void> | null = null
  return {
    database, eventStore, spine, pubsub, registry, swarmManager, reach,
    locate: (name) => locate(name, reach),
    close() {
      closing ??= (async () => {
        await swarmManager.stopAll()
        await spine.settle()
        await eventStore.close()
        database.close()
      })()
      return closing
    },
  }
}
