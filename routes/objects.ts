import type { FastifyInstance } from 'fastify'
import { errors } from '../lib/errors.js'
import { addObject, objectConfig } from '../lib/operations/schemas.js'
import { errorReply, noQuery, reply, swarmParams } from './schemas.js'

type Named = { Params: { name: string } }
type ObjectRoute = { Params: { name: string; object: string } }

const objectParams = {
  type: 'object',
  required: ['name', 'object'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 200, description: 'swarm name' }, object: { type: 'string', minLength: 1, maxLength: 200, description: 'object name' } },
  additionalProperties: false,
} as const

/**
 * Objects of a swarm (docs/objects.md): their runtime state, and adding,
 * removing and reconfiguring them, which are mutations recorded in the
 * overlay like the agent ones. A daemon swarm answers through its queue.
 */
export default async function objectRoutes(app: FastifyInstance): Promise<void> {
  const { locate } = app

  app.get<Named>('/api/swarms/:name/objects', {
    schema: { summary: 'Objects of a swarm with status, handler, interface, message count and last error', tags: ['objects'], params: swarmParams, querystring: noQuery, response: { 200: reply('`{swarm, objects: [...]}`'), 404: errorReply, 409: errorReply } },
  }, async (request) => ({ swarm: request.params.name, objects: await locate(request.params.name).objects() }))

  app.get<ObjectRoute>('/api/swarms/:name/objects/:object', {
    schema: { summary: 'One object\'s status', tags: ['objects'], params: objectParams, querystring: noQuery, response: { 200: reply('object status'), 404: errorReply, 409: errorReply } },
  }, async (request) => {
    const { name, object } = request.params
    const found = (await locate(name).objects()).find((o) => o.name === object)
    if (!found) throw errors.objectNotFound(name, object)
    return found
  })

  app.post<Named & { Body: Record<string, unknown> & { connections?: string[]; incoming?: string[] } }>('/api/swarms/:name/objects', {
    schema: { summary: 'Add an object with a handler module to a running swarm', tags: ['objects'], params: swarmParams, querystring: noQuery, body: addObject, response: { 201: reply('`{status: "added", object, result}`'), 400: errorReply, 404: errorReply, 409: errorReply } },
  }, async (request, res) => {
    const { connections, incoming, ...spec } = request.body
    const result = await locate(request.params.name).mutate({ op: 'add_object', spec, connections, incoming })
    return res.code(201).send({ status: 'added', object: spec.name, result })
  })

  app.delete<ObjectRoute>('/api/swarms/:name/objects/:object', {
    schema: { summary: 'Remove an object (terminate runs; its edges go with it)', tags: ['objects'], params: objectParams, querystring: noQuery, response: { 200: reply('`{status: "removed", object, result}`'), 404: errorReply, 409: errorReply } },
  }, async (request) => {
    const { name, object } = request.params
    return { status: 'removed', object, result: await locate(name).mutate({ op: 'remove_object', name: object }) }
  })

  app.patch<ObjectRoute & { Body: Record<string, unknown> }>('/api/swarms/:name/objects/:object/config', {
    schema: { summary: 'Merge keys into an object\'s config; `configure` runs if the module has it, else `init` again', tags: ['objects'], params: objectParams, querystring: noQuery, body: objectConfig, response: { 200: reply('`{status: "configured", object, config, result}`'), 400: errorReply, 404: errorReply, 409: errorReply } },
  }, async (request) => {
    const { name, object } = request.params
    const host = locate(name)
    const result = await host.mutate({ op: 'configure_object', name: object, config: request.body })
    const config = (await host.effectiveConfig()).objects.find((o) => o.name === object)?.config ?? {}
    return { status: 'configured', object, config, result }
  })
}
