import type { EventInput } from '../../events/types.js'

/** The stored form of a message sent to `gateway`: pushed to socket clients as `gateway_message {from, content}`. */
export function gatewayMessage(from: string, content: string): Omit<EventInput, 'swarm'> {
  return {
    event_type: 'gateway_message',
    category: 'object',
    agent: 'gateway',
    message: `${from} → gateway: ${content.length > 200 ? `${content.slice(0, 200)}…` : content}`,
    metadata: { from, content },
  }
}
