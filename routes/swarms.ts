import type { FastifyInstance } from 'fastify'
import { configFromSource, type ConfigSource } from '../lib/config/source.js'
import { cleanSwarms, listSwarms, restartSwarm, stopSwarm } from '../lib/hosts/index.js'
import { configSourceProperties, errorReply, noQuery, reply, swarmParams } from './schemas.js'

type Named = { Params: { name: string } }

const startBody = {
  type: 'object',
  description: 'exactly one of `config` (the swarm config object) or `config_path` (a .json/.yaml file inside the working directory)',
  properties: configSourceProperties,
  additionalProperties: false,
} as const

const flagQuery = (flag: string, description: string) =>
  ({ type: 'object', properties: { [flag]: { type: 'boolean', default: false, description } }, additionalProperties: false }) as const

/** Swarm lifecycle: list, start, status, stop, restart, clean. */
export default async function swarmRoutes(app: FastifyInstance, opts: { maxFileBytes: number }): Promise<void> {
  const reach = app.engine.reach

  app.get('/api/swarms', {
    schema: { summary: 'In-process and daemon swarms, each once, with status', tags: ['swarms'], querystring: noQuery, response: { 200: reply('`{swarms: [...]}`') } },
  }, async () => ({ swarms: listSwarms(reach) }))

  app.post<{ Body: ConfigSource }>('/api/swarms', {
    schema: {
      summary: 'Start an in-process swarm from an inline config or a config file',
      tags: ['swarms'],
      querystring: noQuery,
      body: startBody,
      response: { 201: reply('`{status: "created", swarm_name, agents, failed}`'), 400: errorReply, 409: errorReply },
    },
  }, async (request, res) => {
    const { config, configPath } = await configFromSource(request.body, app.genswarms.cwd, ['config', 'config_path'], { maxFileBytes: opts.maxFileBytes })
    const started = await app.swarmManager.start(config, { configPath })
    return res.code(201).send({ status: 'created', swarm_name: config.name, agents: started.agents.map((a) => a.name), failed: started.failed })
  })

  app.post<{ Querystring: { all: boolean } }>('/api/swarms/clean', {
    schema: {
      summary: 'Remove stopped and crashed swarm rows; `?all=true` also deletes their events, queued tasks and overlays',
      tags: ['swarms'],
      querystring: flagQuery('all', 'also delete the removed swarms\' events, tasks, commands and overlays'),
      response: { 200: reply('`{status: "cleaned", removed: [names]}`') },
    },
  }, async (request) => ({ status: 'cleaned', removed: await cleanSwarms(reach, { all: request.query.all }) }))

  app.get<Named>('/api/swarms/:name', {
    schema: { summary: 'Swarm status with topology and per-agent details', tags: ['swarms'], params: swarmParams, querystring: noQuery, response: { 200: reply('swarm status'), 404: errorReply } },
  }, async (request) => app.locate(request.params.name).status())

  app.delete<Named & { Querystring: { purge: boolean } }>('/api/swarms/:name', {
    schema: {
      summary: 'Stop a swarm (a daemon swarm is sent SIGTERM); `?purge=true` also deletes its rows and events',
      tags: ['swarms'],
      params: swarmParams,
      querystring: flagQuery('purge', 'also delete the swarm\'s registry row, events, tasks, commands and overlay'),
      response: { 200: reply('`{status: "stopped" | "purged", swarm_name}`'), 404: errorReply, 409: errorReply, 504: errorReply },
    },
  }, async (request) => {
    const { name } = request.params
    return { status: await stopSwarm(reach, name, { purge: request.query.purge }), swarm_name: name }
  })

  app.post<Named & { Querystring: { delete: boolean } }>('/api/swarms/:name/restart', {
    schema: {
      summary: 'Stop the swarm and start it again where it ran (a daemon as a daemon) from its config; `?delete=true` purges its events and overlay first',
      tags: ['swarms'],
      params: swarmParams,
      querystring: flagQuery('delete', 'start from a clean slate: purge events, queues and overlay first'),
      response: { 200: reply('`{status: "restarted", swarm_name, source, agents, failed}`, plus `pid, log_path` for a daemon'), 404: errorReply, 409: errorReply },
    },
  }, async (request) => {
    const { name } = request.params
    const { daemonEntry } = app.genswarms
    const daemon = daemonEntry && app.engine.database.path !== ':memory:' ? { entry: daemonEntry, dbPath: app.engine.database.path } : null
    const outcome = await restartSwarm(reach, name, { clean: request.query.delete, cwd: app.genswarms.cwd, daemon })
    if (outcome.host === 'in_process') return { status: 'restarted', swarm_name: name, source: outcome.host, agents: outcome.agents, failed: outcome.failed }
    const { agents, failed, pid, log_path } = outcome
    return { status: 'restarted', swarm_name: name, source: outcome.host, agents, failed, pid, log_path }
  })
}
