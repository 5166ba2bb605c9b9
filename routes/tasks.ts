import type { FastifyInstance } from 'fastify'
import type { TaskStatus } from '../lib/db/registry.js'
import { errors } from '../lib/errors.js'
import { isKnown } from '../lib/hosts/index.js'
import { cap, errorReply, limitProperty, reply, swarmParams } from './schemas.js'

type Query = { status?: TaskStatus; limit: number }

/** The task queue of a swarm: what daemons were asked to do, and what is still unanswered. */
export default async function taskRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { name: string }; Querystring: Query }>('/api/swarms/:name/tasks', {
    schema: {
      summary: 'Queued tasks of a swarm, newest first; `status=pending` lists those not yet answered (waiting, or taken by a daemon that has not finished them)',
      tags: ['swarms'],
      params: swarmParams,
      querystring: {
        type: 'object',
        properties: {
          status: { type: 'string', enum: ['pending', 'processed', 'failed'], description: 'only tasks in this state' },
          limit: limitProperty,
        },
        additionalProperties: false,
      },
      response: { 200: reply('`{swarm, tasks: [{id, agent, task, status, error, attempts, created_at, processed_at}], count, pending}`'), 400: errorReply, 404: errorReply },
    },
  }, async (request) => {
    const { name } = request.params
    if (!isKnown(name, app.engine.reach)) throw errors.swarmNotFound(name)
    const registry = app.registry
    const tasks = registry.listTasks(name, { ...(request.query.status ? { status: request.query.status } : {}), limit: cap(request.query.limit) })
    return { swarm: name, tasks, count: tasks.length, pending: registry.countPendingTasks(name) }
  })
}
