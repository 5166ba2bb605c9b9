import type { FastifyInstance } from 'fastify'
import { localSwarm } from '../lib/swarm/lifecycle.js'
import { cap, errorReply, limitQuery, noQuery, reply, swarmParams } from './schemas.js'

type Named = { Params: { name: string } }
const nodeName = { type: 'string', minLength: 1, maxLength: 200 } as const

/**
 * Routing: send a message along the topology and read the router's log.
 * (GET topology lives with PATCH topology in routes/mutations.ts.)
 */
export default async function messageRoutes(app: FastifyInstance): Promise<void> {
  const manager = app.swarmManager

  app.post<Named & { Body: { from: string; to: string; content: string } }>('/api/swarms/:name/message', {
    schema: {
      summary: 'Route a message from one node to another; refused unless the topology has that edge (a daemon swarm routes it through its command queue)',
      tags: ['routing'],
      params: swarmParams,
      querystring: noQuery,
      body: {
        type: 'object',
        required: ['from', 'to', 'content'],
        properties: { from: nodeName, to: nodeName, content: { type: 'string', minLength: 1 } },
        additionalProperties: false,
      },
      response: { 200: reply('`{status: "routed", from, to, swarm}`'), 400: errorReply, 404: errorReply, 409: errorReply },
    },
  }, async (request) => {
    const { name } = request.params
    const { from, to, content } = request.body
    return manager.sendMessage(name, from, to, content)
  })

  app.get<Named & { Querystring: { limit: number } }>('/api/swarms/:name/messages', {
    schema: { summary: 'The router\'s message log, oldest first', tags: ['routing'], params: swarmParams, querystring: limitQuery, response: { 200: reply('`{swarm, messages: [...], count}`'), 404: errorReply, 409: errorReply } },
  }, async (request) => {
    const { name } = request.params
    localSwarm(manager, name, 'the message log')
    const messages = manager.messages(name, cap(request.query.limit))
    return { swarm: name, messages, count: messages.length }
  })
}
