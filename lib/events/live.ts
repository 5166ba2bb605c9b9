import { topics } from '../pubsub/index.js'
import type { SwarmEvent } from './types.js'

/** A PubSub message that accompanies an event (e.g. agent_output on `swarm:S:output`). */
export interface LiveMessage {
  topic: string
  event: string
  payload: unknown
}

type EventFields = Pick<SwarmEvent, 'swarm' | 'agent' | 'event_type' | 'message' | 'metadata'>

const ROUTING_FIELDS = ['timestamp', 'swarm', 'from', 'to', 'type', 'content_preview'] as const

/**
 * The live push (docs/websocket.md) that an event stands for, on its swarm topic; null for
 * events that are only streamed as log_entry / event. The spine publishes it
 * for this process's events, the relay for events other processes wrote, so a
 * client joined to a daemon swarm gets the same pushes as for a local one.
 */
export function liveMessageFor(e: EventFields): LiveMessage | null {
  const swarm = e.swarm
  if (swarm === null) return null
  switch (e.event_type) {
    case 'agent_status':
      return { topic: topics.status(swarm), event: 'agent_status', payload: { agent: e.agent, state: e.metadata.state } }
    case 'agent_output':
      return { topic: topics.output(swarm), event: 'agent_output', payload: { agent: e.agent, content: e.message } }
    case 'message_routed':
    case 'message_broadcast':
      return { topic: topics.routing(swarm), event: e.event_type, payload: Object.fromEntries(ROUTING_FIELDS.map((k) => [k, e.metadata[k]])) }
    case 'gateway_message':
      // The swarm's door to the outside: what reaches `gateway` is for the clients watching.
      return { topic: topics.routing(swarm), event: 'gateway_message', payload: { from: e.metadata.from, content: e.metadata.content } }
    case 'swarm_started':
      return { topic: topics.swarm(swarm), event: 'swarm_started', payload: { status: 'running' } }
    case 'swarm_crashed':
      // A crash is a stop the swarm did not ask for: same push, and the status says which.
      return { topic: topics.swarm(swarm), event: 'swarm_stopped', payload: { status: 'crashed' } }
    case 'swarm_paused':
    case 'swarm_resumed':
      return { topic: topics.swarm(swarm), event: e.event_type, payload: { status: e.metadata.status } }
    case 'swarm_stopped':
    case 'topology_changed':
      return { topic: topics.swarm(swarm), event: e.event_type, payload: {} }
    case 'agent_added':
      return { topic: topics.swarm(swarm), event: 'agent_added', payload: { name: e.agent, spec: e.metadata.spec } }
    case 'agent_removed':
      return { topic: topics.swarm(swarm), event: 'agent_removed', payload: { name: e.agent } }
    default:
      return null
  }
}
