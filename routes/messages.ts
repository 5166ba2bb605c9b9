import type { FastifyInstance } from 'fastify'
import { message } from '../lib/operations/schemas.js'
import type { MessageInput } from '../lib/operations/types.js'
import { cap, errorReply, limitQuery, noQuery, reply, swarmParams } from './schemas.js'

type Named = { Params: { name: string } }

/**
 * Routing: send a message along the topology and read the router's log.
 * (GET topology lives with PATCH topology in routes/mutations.ts.)
 */
export default async function messageRoutes(app: FastifyInstance): Promise<void> {
  app.post<Named & { Body: MessageInput }>('/api/swarms/:name/message', {
    schema: {
      summary: 'Route a message from one node to another; refused unless the topology has that edge (a daemon swarm routes it through its command queue)',
      tags: ['routing'],
      params: swarmParams,
      querystring: noQuery,
      body: message,
      response: { 200: reply('`{status: "routed", from, to, swarm}`'), 400: errorReply, 404: errorReply, 409: errorReply },
    },
  }, async (request) => app.locate(request.params.name).sendMessage(request.body))

  app.get<Named & { Querystring: { limit: number } }>('/api/swarms/:name/messages', {
    schema: { summary: 'The router\'s message log, oldest first', tags: ['routing'], params: swarmParams, querystring: limitQuery, response: { 200: reply('`{swarm, messages: [...], count}`'), 404: errorReply, 409: errorReply } },
  }, async (request) => {
    const { name } = request.params
    const messages = await app.locate(name).messages(cap(request.query.limit))
    return { swarm: name, messages, count: messages.length }
  })
}
