import type { FastifyInstance } from 'fastify'
import { cap, errorReply, limitQuery, noQuery, reply, swarmParams } from './schemas.js'

type Named = { Params: { name: string } }

/**
 * The system objects' REST face (docs/objects.md, "System objects"): the
 * `metrics` counters, which live with the swarm (a daemon answers through its
 * queue), and what reached `gateway`, which is stored events.
 */
export default async function systemObjectRoutes(app: FastifyInstance): Promise<void> {
  app.get<Named>('/api/swarms/:name/metrics', {
    schema: { summary: 'The metrics object: messages per node and edge, tasks, turns, tokens, and the last report of each sender', tags: ['objects'], params: swarmParams, querystring: noQuery, response: { 200: reply('`{swarm, since, messages, tasks, turns, tokens, reports}`'), 404: errorReply, 409: errorReply } },
  }, async (request) => app.locate(request.params.name).metrics())

  app.get<Named & { Querystring: { limit: number } }>('/api/swarms/:name/gateway', {
    schema: { summary: 'Messages sent to the gateway object, newest first', tags: ['objects'], params: swarmParams, querystring: limitQuery, response: { 200: reply('`{swarm, messages: [{id, timestamp, from, content}], count}`'), 404: errorReply } },
  }, async (request) => {
    const { name } = request.params
    // Refuses a swarm this server cannot name; a stopped one still lists what it stored.
    app.locate(name)
    const events = app.eventStore.query({ swarm: name, event_type: 'gateway_message', limit: cap(request.query.limit) })
    const messages = events.map((e) => ({ id: e.id, timestamp: e.timestamp, from: e.metadata.from, content: e.metadata.content }))
    return { swarm: name, messages, count: messages.length }
  })
}
