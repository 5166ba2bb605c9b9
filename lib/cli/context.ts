import { existsSync, realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { DEFAULT_DB_PATH } from '../db/open.js'
import { readServerPid } from '../daemon/server-pid.js'
import { createEngine, type Engine } from '../engine.js'
import { errors } from '../errors.js'
import { locate, ServerClient, type ClientReach, type SwarmHost } from '../hosts/index.js'
import { Output, type OutputStreams } from './output.js'

export interface CliEnvironment extends OutputStreams {
  cwd: string
  /** argv that runs this CLI again (node, its flags, the entry script): daemons and servers are this program */
  entry: string[]
}

/** Options every command accepts (before or after the command name). */
export interface GlobalOptions {
  db?: string
  url?: string
  color?: boolean
}

/**
 * What a command needs from its surroundings, resolved once: where the
 * database is, where a server might answer, how to print. The database is
 * opened only when a command asks for it and closed when it ends.
 */
export class CliContext {
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
  /** the skills library the CLI lists, and a daemon started from here reads */
  readonly skillsDir: string
  readonly entry: string[]
  readonly out: Output
  readonly dbPath: string
  readonly #explicitUrl: string | null
  #engine: Engine | null = null

  constructor(environment: CliEnvironment, globals: GlobalOptions) {
    this.env = environment.env
    this.cwd = environment.cwd
    this.entry = environment.entry
    this.out = new Output(environment, globals.color !== false)
    this.dbPath = resolve(this.cwd, globals.db ?? this.env.GENSWARMS_DB ?? DEFAULT_DB_PATH)
    this.skillsDir = resolve(this.cwd, 'skills')
    this.#explicitUrl = globals.url ?? this.env.GENSWARMS_URL ?? null
  }

  /** `--url`, else `GENSWARMS_URL`, else the server `genswarms up` recorded, else `PORT` (4000) on loopback. */
  get serverUrl(): string {
    if (this.#explicitUrl) return this.#explicitUrl
    const recorded = readServerPid(this.dbPath)
    if (recorded) return recorded.url
    return `http://127.0.0.1:${this.env.PORT || 4000}`
  }

  server(): ServerClient {
    return new ServerClient(this.serverUrl, this.env.GENSWARMS_API_TOKEN || null)
  }

  /**
   * Where a swarm runs, as the CLI can reach it: the server over HTTP when it
   * runs the swarm (or, with `via: 'any'`, whenever it answers), else the
   * swarm's daemon through the database.
   */
  async locate(name: string, opts: Pick<ClientReach, 'via' | 'needRunning'> = {}): Promise<SwarmHost> {
    const host = await locate(name, { local: () => this.engine().reach, server: this.server(), recordedServer: readServerPid(this.dbPath), ...opts })
    if (host.kind === 'server') await this.#sameDatabase()
    return host
  }

  /**
   * A server found on the default port may serve another project's database,
   * with swarms of the same names: it is used only when it serves this one.
   * A server named with --url / GENSWARMS_URL was chosen on purpose and is not asked.
   */
  async #sameDatabase(): Promise<void> {
    if (this.#explicitUrl) return
    const info = await this.server().request<{ database?: unknown }>('GET', '/').catch(() => null)
    const theirs = typeof info?.body?.database === 'string' ? info.body.database : null
    if (theirs === null) return
    const real = (path: string) => (existsSync(path) ? realpathSync(path) : resolve(path))
    if (theirs === ':memory:' || real(theirs) !== real(this.dbPath)) throw errors.databaseMismatch(this.serverUrl, theirs, this.dbPath)
  }

  /** Whether the database file exists: reading commands do not create one. */
  get hasDatabase(): boolean {
    return existsSync(this.dbPath)
  }

  /**
   * The shared database with synchronous event writes (nothing is left
   * unflushed on exit). Only commands that start something create the file;
   * for the others a missing database is an error that says where it looked.
   */
  engine(opts: { create?: boolean } = {}): Engine {
    if (!this.#engine && !opts.create && !this.hasDatabase) throw errors.noDatabase(this.dbPath)
    this.#engine ??= createEngine({ dbPath: this.dbPath, buffered: false, skillsDir: this.skillsDir })
    return this.#engine
  }

  async close(): Promise<void> {
    const engine = this.#engine
    this.#engine = null
    await engine?.close()
  }
}
