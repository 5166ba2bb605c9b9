import type { Engine } from './engine.js'

/** Options of the Genswarms Fastify plugin. Every one is optional. */
export interface GenswarmsOptions {
  /** SQLite file; `GENSWARMS_DB`, else `.genswarms/swarms.db` under the working directory */
  dbPath?: string
  /** use an engine you built yourself (it is then not closed with the app) */
  engine?: Engine
  /** directory that `config_path` must stay inside; default `process.cwd()` */
  cwd?: string
  /** required on every REST request and socket connect; default `GENSWARMS_API_TOKEN`; null disables */
  apiToken?: string | null
  /** allowed CORS / WebSocket origins; default `GENSWARMS_CORS_ORIGINS` or local dev origins */
  corsOrigins?: string[]
  /**
   * `Host` names served without an API token besides the loopback ones
   * (`localhost`, `127.0.0.1`, `[::1]`): a name matches on any port, a
   * `name:port` entry on that port only; default `GENSWARMS_ALLOWED_HOSTS`
   * (comma-separated). Ignored when a token is set.
   */
  allowedHosts?: string[]
  /**
   * close a connection whose request (headers and body) has not fully arrived
   * after this long; default `GENSWARMS_REQUEST_TIMEOUT_MS`, else 30 000.
   * buildServer sizes its server with it; embedded, the plugin applies it to the
   * host's server only when the host left Fastify's `requestTimeout` unset.
   */
  requestTimeoutMs?: number
  /**
   * relay events written by daemons to live subscribers (default on). The relay
   * wakes on changes to the database's WAL file and also polls every
   * `intervalMs` (default 250) for anything the file watch missed; `watch:
   * false` leaves only the polling (for file systems without change
   * notification, such as network mounts; then lower `intervalMs`).
   */
  relay?: boolean | { intervalMs?: number; watch?: boolean }
  /** buffered event writes (default on: flush every 100 ms or at 1000 events) */
  events?: { buffered?: boolean; flushIntervalMs?: number; maxBatch?: number }
  /** WebSocket limits */
  socket?: {
    /** largest inbound frame in bytes (default 1 MiB) */
    maxPayload?: number
    /** joined channels per socket (default 100) */
    maxChannels?: number
    /** close a socket that sent nothing for this long (default 60 000 ms) */
    idleTimeoutMs?: number
    /** disconnect a client whose unsent data exceeds this (default 4 MiB) */
    maxBufferedBytes?: number
    /** bytes one subscribe reply may take; recent_logs / recent_events are cut to fit (default 256 KiB) */
    maxReplyBytes?: number
  }
  /** request body limit in bytes (default 1 MiB) */
  bodyLimit?: number
  /** serve the OpenAPI document at /documentation/json and Swagger UI at /documentation (default true) */
  openapi?: boolean
  /**
   * serve the browser dashboard at /dashboard (default true) from this
   * package's built `dist/dashboard`, or from `dashboardDir`
   */
  dashboard?: boolean | { dashboardDir?: string }
  /**
   * argv that runs the genswarms CLI, used to relaunch a daemon swarm as a
   * daemon on `POST /api/swarms/:name/restart`; default: this package's built
   * CLI (`dist/bin/genswarms.js`). null restarts such swarms in this server.
   */
  daemonEntry?: string[] | null
  /** version reported by GET / and in OpenAPI (default: this package's own, from its package.json) */
  version?: string
  /** mount the REST routes, the socket and the OpenAPI document under this path prefix (e.g. `/genswarms`) */
  prefix?: string
  /** directory of skill markdown files served by /api/skills; default `<cwd>/skills` */
  skillsDir?: string
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

/** `requestTimeoutMs`, else `GENSWARMS_REQUEST_TIMEOUT_MS`, else 30 s; a bad value stops startup rather than leaving requests unbounded. */
export function resolveRequestTimeout(opts: GenswarmsOptions, env: NodeJS.ProcessEnv = process.env): number {
  const given = opts.requestTimeoutMs ?? (env.GENSWARMS_REQUEST_TIMEOUT_MS ? Number(env.GENSWARMS_REQUEST_TIMEOUT_MS) : DEFAULT_REQUEST_TIMEOUT_MS)
  if (!Number.isSafeInteger(given) || given < 1) {
    throw new Error(`request timeout must be a positive whole number of milliseconds, got ${JSON.stringify(opts.requestTimeoutMs ?? env.GENSWARMS_REQUEST_TIMEOUT_MS)}`)
  }
  return given
}

/** `allowedHosts`, else `GENSWARMS_ALLOWED_HOSTS` (comma-separated), lowercased. */
export function resolveAllowedHosts(opts: GenswarmsOptions, env: NodeJS.ProcessEnv = process.env): string[] {
  const list = opts.allowedHosts ?? (env.GENSWARMS_ALLOWED_HOSTS ?? '').split(',')
  return list.map((h) => h.trim().toLowerCase()).filter(Boolean)
}
