import { resolve } from 'node:path'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { CrashWatcher } from '../lib/daemon/crash-watcher.js'
import { packagedCliEntry } from '../lib/daemon/launch.js'
import { ServerQueues } from '../lib/daemon/server-queues.js'
import { walFile } from '../lib/db/change-watch.js'
import { createEngine, type Engine } from '../lib/engine.js'
import { EventRelay } from '../lib/events/relay.js'
import type { GenswarmsOptions } from '../lib/options.js'
import { packageVersion } from '../lib/version.js'

/**
 * Builds (or adopts) the engine and decorates the app with `swarmManager`
 * (the swarms of this process), `locate` (any swarm, wherever it runs: see
 * docs/hosts.md), `registry`, `eventStore`, `pubsub` and `genswarms` (the
 * resolved options).
 * An engine the plugin built is closed with the app; one passed in is not.
 */
async function corePlugin(app: FastifyInstance, opts: GenswarmsOptions): Promise<void> {
  const owned = !opts.engine
  const engine: Engine =
    opts.engine ??
    createEngine({
      ...(opts.dbPath !== undefined ? { dbPath: opts.dbPath } : {}),
      buffered: opts.events?.buffered === false ? false : { ...(opts.events ?? {}) },
      trackOwnEvents: opts.relay !== false,
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      skillsDir: resolve(opts.cwd ?? process.cwd(), opts.skillsDir ?? 'skills'),
      onError: (err, context) => app.log.error({ err }, `genswarms: ${context} failed`),
    })
  app.decorate('engine', engine)
  app.decorate('swarmManager', engine.swarmManager)
  app.decorate('locate', engine.locate)
  app.decorate('registry', engine.registry)
  app.decorate('eventStore', engine.eventStore)
  app.decorate('pubsub', engine.pubsub)
  app.decorate('genswarms', resolveOptions(opts))
  if (owned) app.addHook('onClose', async () => engine.close())
  startRelay(app, engine)
  startCrashWatcher(app, engine)
  startQueues(app, engine)
}

/** Other processes reach the swarms run here through the database's task and command queues. */
function startQueues(app: FastifyInstance, engine: Engine): void {
  const queues = new ServerQueues({ reach: engine.reach, spine: engine.spine, logger: app.log, file: walFile(engine.database), connection: engine.database.sqlite })
  app.addHook('onReady', async () => queues.start())
  app.addHook('preClose', async () => queues.stop())
}

/** A daemon that dies is announced to joined sockets instead of only reading as crashed when asked. */
function startCrashWatcher(app: FastifyInstance, engine: Engine): void {
  const watcher = new CrashWatcher({ registry: engine.registry, spine: engine.spine, logger: app.log })
  app.addHook('onReady', async () => watcher.start())
  app.addHook('preClose', async () => watcher.stop())
}

/** Daemons' events reach this server's subscribers through the relay. */
function startRelay(app: FastifyInstance, engine: Engine): void {
  if (!app.genswarms.relay.enabled) return
  if (!engine.spine.tracksOwnIds) {
    app.log.warn('genswarms: event relay off: the engine passed in was created without trackOwnEvents, so its own events would be published twice')
    return
  }
  const relay = new EventRelay({
    store: engine.eventStore,
    spine: engine.spine,
    pubsub: engine.pubsub,
    intervalMs: app.genswarms.relay.intervalMs,
    wakeOn: app.genswarms.relay.watch ? walFile(engine.database) : null,
    logger: app.log,
  })
  app.addHook('onReady', async () => relay.start())
  app.addHook('preClose', async () => relay.stop())
}

export interface ResolvedGenswarmsOptions {
  cwd: string
  apiToken: string | null
  corsOrigins: string[]
  relay: { enabled: boolean; intervalMs: number; watch: boolean }
  daemonEntry: string[] | null
  version: string
}

export const DEFAULT_CORS_ORIGINS = [
  'http://localhost:3000', 'http://127.0.0.1:3000',
  'http://localhost:4000', 'http://127.0.0.1:4000',
  'http://localhost:5173', 'http://127.0.0.1:5173',
]

function resolveOptions(opts: GenswarmsOptions): ResolvedGenswarmsOptions {
  const envOrigins = process.env.GENSWARMS_CORS_ORIGINS
  return {
    cwd: opts.cwd ?? process.cwd(),
    apiToken: opts.apiToken !== undefined ? opts.apiToken : (process.env.GENSWARMS_API_TOKEN || null),
    corsOrigins: opts.corsOrigins ?? (envOrigins ? envOrigins.split(',').map((o) => o.trim()).filter(Boolean) : DEFAULT_CORS_ORIGINS),
    relay: {
      enabled: opts.relay !== false,
      intervalMs: typeof opts.relay === 'object' && opts.relay.intervalMs ? opts.relay.intervalMs : 250,
      watch: typeof opts.relay === 'object' ? opts.relay.watch !== false : true,
    },
    daemonEntry: opts.daemonEntry !== undefined ? opts.daemonEntry : packagedCliEntry(),
    version: opts.version ?? packageVersion(),
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    engine: Engine
    swarmManager: Engine['swarmManager']
    locate: Engine['locate']
    registry: Engine['registry']
    eventStore: Engine['eventStore']
    pubsub: Engine['pubsub']
    genswarms: ResolvedGenswarmsOptions
  }
}

export default fp(corePlugin, { name: 'genswarms-core', fastify: '5.x' })
