/**
 * Schemas of what a daemon writes back on a command row, so the process that
 * queued the command reads a checked value out of the database, not a cast.
 */

const names = { type: 'array', items: { type: 'string' } } as const

export const pong = {
  type: 'object',
  required: ['pong', 'swarm', 'pid', 'at'],
  properties: { pong: { const: true }, swarm: { type: 'string' }, pid: { type: 'integer' }, at: { type: 'string' } },
} as const

export const stopping = { type: 'object', required: ['stopping'], properties: { stopping: { const: true } } } as const

export const routed = {
  type: 'object',
  required: ['status', 'from', 'to', 'swarm'],
  properties: { status: { const: 'routed' }, from: { type: 'string' }, to: { type: 'string' }, swarm: { type: 'string' } },
} as const

export const mutationOutcome = {
  type: 'object',
  required: ['added', 'removed', 'failed', 'overlay_seq'],
  properties: { added: names, removed: names, failed: names, overlay_seq: { type: 'integer' } },
} as const

/** What pause and resume answer. */
export const pauseOutcome = {
  type: 'object',
  required: ['swarm', 'status', 'changed'],
  properties: { swarm: { type: 'string' }, status: { enum: ['paused', 'running'] }, changed: { type: 'boolean' } },
} as const

/** A failed command row: the daemon's message, and its named code and HTTP status when it had them. */
export const failure = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' }, code: { type: 'string' }, statusCode: { type: 'integer' } },
} as const

export interface Failure {
  error: string
  code?: string
  statusCode?: number
}
