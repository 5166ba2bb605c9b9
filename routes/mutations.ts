import type { FastifyInstance } from 'fastify'
import { stringify as toYaml } from 'yaml'
import { serializeConfig } from '../lib/config/validate.js'
import { addAgent, scale, topology } from '../lib/operations/schemas.js'
import type { MutationInput } from '../lib/operations/types.js'
import { agentParams, errorReply, noQuery, reply, swarmParams } from './schemas.js'

type Named = { Params: { name: string } }

/**
 * Runtime mutations of a live swarm: agents, topology, scaling,
 * the overlay that records them, and the snapshot they add up to. A daemon
 * swarm gets them through its command queue.
 */
export default async function mutationRoutes(app: FastifyInstance): Promise<void> {
  const { locate } = app
  const mutate = (name: string, mutation: MutationInput) => locate(name).mutate(mutation)

  app.post<Named & { Body: Record<string, unknown> & { connections?: string[]; incoming?: string[] } }>('/api/swarms/:name/agents', {
    schema: { summary: 'Add an agent to a running swarm', tags: ['mutations'], params: swarmParams, querystring: noQuery, body: addAgent, response: { 201: reply('`{status: "added", agent, result}`'), 400: errorReply, 404: errorReply, 409: errorReply } },
  }, async (request, res) => {
    const { connections, incoming, ...spec } = request.body
    const result = await mutate(request.params.name, { op: 'add_agent', spec, connections, incoming })
    return res.code(201).send({ status: 'added', agent: spec.name, result })
  })

  app.delete<{ Params: { name: string; agent: string } }>('/api/swarms/:name/agents/:agent', {
    schema: { summary: 'Remove an agent (its edges go with it)', tags: ['mutations'], params: agentParams, querystring: noQuery, response: { 200: reply('`{status: "removed", agent, result}`'), 404: errorReply, 409: errorReply } },
  }, async (request) => {
    const { name, agent } = request.params
    return { status: 'removed', agent, result: await mutate(name, { op: 'remove_agent', name: agent }) }
  })

  app.get<Named>('/api/swarms/:name/topology', {
    schema: { summary: 'The directed edges, as `{from, targets}` per node', tags: ['mutations'], params: swarmParams, querystring: noQuery, response: { 200: reply('`{swarm, topology: [{from, targets}]}`'), 404: errorReply } },
  }, async (request) => ({ swarm: request.params.name, topology: (await locate(request.params.name).status()).topology }))

  app.patch<Named & { Body: { add?: unknown[]; remove?: unknown[] } }>('/api/swarms/:name/topology', {
    schema: {
      summary: 'Add and remove edges',
      tags: ['mutations'],
      params: swarmParams,
      querystring: noQuery,
      body: topology,
      response: { 200: reply('`{status: "ok", topology, result}`'), 400: errorReply, 404: errorReply, 409: errorReply },
    },
  }, async (request) => {
    const { name } = request.params
    const result = await mutate(name, { op: 'topology', add: request.body.add, remove: request.body.remove })
    return { status: 'ok', topology: (await locate(name).status()).topology, result }
  })

  app.post<{ Params: { name: string; agent: string }; Body: { count: number } }>('/api/swarms/:name/agents/:agent/scale', {
    schema: {
      summary: 'Scale the group `base` to `count` members named base_1..base_n',
      tags: ['mutations'],
      params: agentParams,
      querystring: noQuery,
      body: scale,
      response: { 200: reply('`{status: "ok", result: {added, removed, failed}}`'), 400: errorReply, 404: errorReply, 409: errorReply },
    },
  }, async (request) => {
    const { name, agent } = request.params
    const { added, removed, failed } = await mutate(name, { op: 'scale', base: agent, count: request.body.count })
    return { status: 'ok', result: { added, removed, failed } }
  })

  app.get<Named>('/api/swarms/:name/overlay', {
    schema: { summary: 'The recorded runtime mutations, oldest first', tags: ['mutations'], params: swarmParams, querystring: noQuery, response: { 200: reply('`{swarm, overlay: [...], count}`'), 404: errorReply } },
  }, async (request) => {
    const overlay = await locate(request.params.name).overlay()
    return { swarm: request.params.name, overlay, count: overlay.length }
  })

  app.delete<Named>('/api/swarms/:name/overlay', {
    schema: { summary: 'Forget the recorded mutations (the running swarm keeps its shape until it starts again)', tags: ['mutations'], params: swarmParams, querystring: noQuery, response: { 200: reply('`{status: "cleared", removed}`'), 404: errorReply } },
  }, async (request) => ({ status: 'cleared', swarm: request.params.name, removed: await locate(request.params.name).clearOverlay() }))

  app.post<Named & { Querystring: { format: 'json' | 'yaml' } }>('/api/swarms/:name/snapshot', {
    schema: {
      summary: 'The effective config (seed + overlay), as a config file `genswarms start` accepts',
      tags: ['mutations'],
      params: swarmParams,
      querystring: { type: 'object', properties: { format: { type: 'string', enum: ['json', 'yaml'], default: 'json' } }, additionalProperties: false },
      response: { 200: reply('`{swarm, format, config, content}`'), 404: errorReply },
    },
  }, async (request) => {
    const config = serializeConfig(await locate(request.params.name).effectiveConfig())
    const { format } = request.query
    const content = format === 'yaml' ? toYaml(config) : JSON.stringify(config, null, 2) + '\n'
    return { swarm: request.params.name, format, config, content }
  })
}
