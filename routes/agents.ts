import type { FastifyInstance } from 'fastify'
import { errors } from '../lib/errors.js'
import { taskBody } from '../lib/operations/schemas.js'
import { agentParams, cap, errorReply, limitQuery, noQuery, reply, swarmParams } from './schemas.js'

type AgentRoute = { Params: { name: string; agent: string } }

/** Agents of a swarm: status, tasks, restart, history. */
export default async function agentRoutes(app: FastifyInstance): Promise<void> {
  const { locate } = app

  app.get<{ Params: { name: string } }>('/api/swarms/:name/agents', {
    schema: { summary: 'Agents of a swarm with their state', tags: ['agents'], params: swarmParams, querystring: noQuery, response: { 200: reply('`{agents: [...]}`'), 404: errorReply } },
  }, async (request) => ({ agents: (await locate(request.params.name).status()).agents }))

  app.get<AgentRoute>('/api/swarms/:name/agents/:agent', {
    schema: { summary: 'One agent\'s status', tags: ['agents'], params: agentParams, querystring: noQuery, response: { 200: reply('agent status'), 404: errorReply } },
  }, async (request) => {
    const { name, agent } = request.params
    const found = (await locate(name).status()).agents.find((a) => a.name === agent)
    if (!found) throw errors.agentNotFound(name, agent)
    return found
  })

  app.post<AgentRoute & { Body: { task: string } }>('/api/swarms/:name/agents/:agent/task', {
    schema: {
      summary: 'Send a task to an agent; for a daemon swarm it is queued for the daemon',
      tags: ['agents'],
      params: agentParams,
      querystring: noQuery,
      body: taskBody,
      response: { 200: reply('`{status: "sent", agent, task, task_id}`, plus `queued: true` for a daemon swarm (`task_id` names the task in its events\' `metadata.task_id`)'), 400: errorReply, 404: errorReply, 409: errorReply },
    },
  }, async (request) => {
    const { name, agent } = request.params
    const { task } = request.body
    const result = await locate(name).sendTask({ agent, task })
    return result.delivery === 'queued' ? { status: 'sent', agent, task, queued: true, task_id: result.task_id } : { status: 'sent', agent, task, ...(result.delivery === 'in_process' ? { task_id: result.task_id } : {}) }
  })

  app.post<AgentRoute>('/api/swarms/:name/agents/:agent/restart', {
    schema: { summary: 'Restart one agent of an in-process swarm', tags: ['agents'], params: agentParams, querystring: noQuery, response: { 200: reply('`{status: "restarted", agent: {...status}}`'), 404: errorReply, 409: errorReply } },
  }, async (request) => {
    const { name, agent } = request.params
    return { status: 'restarted', agent: await locate(name).restartAgent(agent) }
  })

  app.get<AgentRoute & { Querystring: { limit: number } }>('/api/swarms/:name/agents/:agent/history', {
    schema: { summary: 'What the agent received and said, oldest first', tags: ['agents'], params: agentParams, querystring: limitQuery, response: { 200: reply('`{swarm, agent, history: [...], count}`'), 404: errorReply, 409: errorReply } },
  }, async (request) => {
    const { name, agent } = request.params
    const history = await locate(name).history(agent, cap(request.query.limit))
    return { swarm: name, agent, history, count: history.length }
  })
}
