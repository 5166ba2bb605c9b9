import type { FastifyInstance } from 'fastify'
import { noQuery, reply } from './schemas.js'

/** What the Phoenix socket accepts and pushes (docs/websocket.md). */
const CLIENT_EVENTS = ['send_task', 'get_status', 'subscribe_logs', 'unsubscribe_logs', 'subscribe_events', 'unsubscribe_events']
const SERVER_EVENTS = [
  'agent_output', 'message_routed', 'message_broadcast', 'agent_status', 'swarm_started', 'swarm_stopped',
  'agent_added', 'agent_removed', 'topology_changed', 'log_entry', 'event', 'agent_output_delta',
]

export interface Endpoint {
  method: string
  path: string
  summary?: string
}

/** GET /: name, version, the REST endpoints and how to reach the WebSocket. */
export default async function infoRoutes(app: FastifyInstance, opts: { endpoints: Endpoint[] }): Promise<void> {
  app.get('/', { schema: { summary: 'Service info: version, endpoints and the WebSocket contract', tags: ['info'], querystring: noQuery, response: { 200: reply('the info document') } } }, async () => ({
    name: 'genswarms',
    version: app.genswarms.version,
    // The CLI compares it with its own --db, so that it never drives a server on another database.
    database: app.engine.database.path,
    endpoints: opts.endpoints,
    websocket: {
      url: `${app.prefix}/swarm`,
      transport: 'websocket',
      topic: 'swarm:{swarm_name}',
      client_events: CLIENT_EVENTS,
      server_events: SERVER_EVENTS,
    },
  }))
}
