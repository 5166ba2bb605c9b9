import type { FastifyInstance } from 'fastify'
import { errors } from '../lib/errors.js'
import { isKnown } from '../lib/hosts/index.js'
import { CATEGORIES, LEVELS } from '../lib/events/taxonomy.js'
import type { EventQuery } from '../lib/events/types.js'
import { agentParams, cap, errorReply, limitProperty, reply, swarmParams } from './schemas.js'

/** 100 years: any window reaches back before the first event, and the cut-off stays a valid date. */
const MAX_MINUTES = 100 * 366 * 24 * 60
const text = { type: 'string', minLength: 1, maxLength: 200 } as const
const filters = {
  level: { type: 'string', enum: [...LEVELS] },
  category: { type: 'string', enum: [...CATEGORIES] },
  swarm: text,
  agent: text,
  event_type: text,
  minutes: { type: 'number', exclusiveMinimum: 0, maximum: MAX_MINUTES, description: `only events of the last N minutes (at most ${MAX_MINUTES}, 100 years)` },
  limit: limitProperty,
} as const

/** The filters a route accepts in its query; those fixed by the path are left out. */
function query(...fixed: (keyof typeof filters)[]) {
  const properties = Object.fromEntries(Object.entries(filters).filter(([key]) => !fixed.includes(key as keyof typeof filters)))
  return { type: 'object', properties, additionalProperties: false } as const
}

const response = { 200: reply('`{events: [...newest first], count}`'), 400: errorReply, 404: errorReply }

/** Stored events with every filter, newest first, from the shared EventStore (daemon events included). */
export default async function eventRoutes(app: FastifyInstance): Promise<void> {
  const store = app.eventStore
  const read = (q: EventQuery) => {
    const events = store.query({ ...q, limit: cap(q.limit) })
    return { events, count: events.length }
  }
  // A swarm or agent is known while it exists, and afterwards as long as it has stored events.
  const hasEvents = (swarm: string, agent?: string) => store.query({ swarm, ...(agent ? { agent } : {}), limit: 1 }).length > 0
  const knownSwarm = (name: string) => {
    if (!isKnown(name, app.engine.reach) && !hasEvents(name)) throw errors.swarmNotFound(name)
  }

  app.get<{ Querystring: EventQuery }>('/api/events', {
    schema: { summary: 'Events of every swarm, filtered', tags: ['events'], querystring: query(), response },
  }, async (request) => read(request.query))

  app.get<{ Params: { name: string }; Querystring: EventQuery }>('/api/swarms/:name/events', {
    schema: { summary: 'Events of one swarm, filtered', tags: ['events'], params: swarmParams, querystring: query('swarm'), response },
  }, async (request) => {
    const { name } = request.params
    knownSwarm(name)
    return read({ ...request.query, swarm: name })
  })

  app.get<{ Params: { name: string; agent: string }; Querystring: EventQuery }>('/api/swarms/:name/agents/:agent/events', {
    schema: { summary: 'Events of one agent (or object), filtered', tags: ['events'], params: agentParams, querystring: query('swarm', 'agent'), response },
  }, async (request) => {
    const { name, agent } = request.params
    knownSwarm(name)
    if (!hasEvents(name, agent) && !(await currentNodes(app, name)).includes(agent)) throw errors.agentNotFound(name, agent)
    return read({ ...request.query, swarm: name, agent })
  })
}

async function currentNodes(app: FastifyInstance, swarm: string): Promise<string[]> {
  if (!isKnown(swarm, app.engine.reach)) return []
  const status = await app.locate(swarm).status()
  const objects = 'objects' in status ? status.objects.map((o) => o.name) : []
  return [...status.agents.map((a) => a.name), ...objects]
}
