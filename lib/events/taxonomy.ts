/** The one place that knows the event vocabulary: levels, categories, types. */

export const LEVELS = ['debug', 'info', 'warning', 'error'] as const
export type Level = (typeof LEVELS)[number]

export const CATEGORIES = ['swarm', 'agent', 'object', 'routing', 'backend', 'system'] as const
export type Category = (typeof CATEGORIES)[number]

export const EVENT_TYPES = {
  swarm: ['swarm_started', 'swarm_stopped', 'swarm_crashed', 'topology_changed', 'swarm_paused', 'swarm_resumed'],
  agent: [
    'agent_started', 'agent_stopped', 'agent_error', 'agent_added', 'agent_removed',
    'agent_status', 'task_sent', 'skill_updated', 'message_delivered', 'agent_output', 'inbox_full', 'message_dropped',
    'agent_usage', 'budget_exceeded',
  ],
  object: ['object_started', 'object_stopped', 'object_error', 'object_added', 'object_removed', 'message_refused', 'object_log', 'object_send_failed', 'gateway_message'],
  routing: ['message_routed', 'message_broadcast', 'invalid_route', 'target_not_found', 'ask_timeout'],
  backend: ['backend_stderr', 'output_truncated'],
  system: ['task_failed', 'command_failed', 'daemon_started', 'daemon_stopped', 'overlay_entry_skipped'],
} as const satisfies Record<Category, readonly string[]>

export type EventType = (typeof EVENT_TYPES)[Category][number]

const categoryByType = new Map<string, Category>()
for (const category of CATEGORIES) for (const type of EVENT_TYPES[category]) categoryByType.set(type, category)

export function categoryFor(eventType: string): Category {
  return categoryByType.get(eventType) ?? 'system'
}

/** Level by event type: error/failed → error; invalid/not_found/full → warning; else info. */
export function levelFor(eventType: string): Level {
  if (/error|failed/.test(eventType)) return 'error'
  if (/invalid|not_found|full/.test(eventType)) return 'warning'
  return 'info'
}
