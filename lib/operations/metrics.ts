/** What a daemon writes back for the `metrics` op (lib/objects/system/metrics.ts MetricsSnapshot). */

const counts = { type: 'object', additionalProperties: { type: 'integer' } } as const
const tokens = {
  type: 'object',
  required: ['prompt_tokens', 'completion_tokens', 'total_tokens'],
  properties: { prompt_tokens: { type: 'number' }, completion_tokens: { type: 'number' }, total_tokens: { type: 'number' } },
} as const
const tally = { type: 'object', required: ['total', 'by_agent'], properties: { total: { type: 'integer' }, by_agent: counts } } as const

export const metricsSnapshot = {
  type: 'object',
  required: ['swarm', 'since', 'messages', 'tasks', 'turns', 'tokens', 'reports'],
  properties: {
    swarm: { type: 'string' },
    since: { type: 'string' },
    messages: {
      type: 'object',
      required: ['total', 'by_node', 'by_edge'],
      properties: {
        total: { type: 'integer' },
        by_node: {
          type: 'object',
          additionalProperties: { type: 'object', required: ['sent', 'received'], properties: { sent: { type: 'integer' }, received: { type: 'integer' } } },
        },
        by_edge: counts,
      },
    },
    tasks: tally,
    turns: tally,
    tokens: { ...tokens, required: [...tokens.required, 'by_agent'], properties: { ...tokens.properties, by_agent: { type: 'object', additionalProperties: tokens } } },
    reports: {
      type: 'object',
      additionalProperties: { type: 'object', required: ['content', 'at'], properties: { content: { type: 'string' }, at: { type: 'string' } } },
    },
  },
}
