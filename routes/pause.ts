import type { FastifyInstance } from 'fastify'
import { noQuery, reply, errorReply, swarmParams } from './schemas.js'

type Named = { Params: { name: string } }

/** Pausing and resuming a running swarm, wherever it runs. */
export default async function pauseRoutes(app: FastifyInstance): Promise<void> {
  const { locate } = app
  const outcome = reply('`{swarm, status: "paused" | "running", changed}`; `changed` is false when it already was')

  app.post<Named>('/api/swarms/:name/pause', {
    schema: {
      summary: 'Pause a swarm: tasks and messages queue (inbox limits still apply), a turn in progress finishes',
      tags: ['swarms'], params: swarmParams, querystring: noQuery,
      response: { 200: outcome, 404: errorReply, 409: errorReply },
    },
  }, async (request) => locate(request.params.name).pause())

  app.post<Named>('/api/swarms/:name/resume', {
    schema: {
      summary: 'Resume a paused swarm: what queued meanwhile runs, in order',
      tags: ['swarms'], params: swarmParams, querystring: noQuery,
      response: { 200: outcome, 404: errorReply, 409: errorReply },
    },
  }, async (request) => locate(request.params.name).resume())
}
