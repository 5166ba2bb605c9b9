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

/** The objects of a swarm with their runtime state (lib/objects/types.ts ObjectStatus). */
export const objectList = {
  type: 'array',
  items: {
    type: 'object',
    required: ['name', 'type', 'status', 'handler', 'interface', 'config', 'timeout_ms', 'message_count', 'last_error', 'timers'],
    properties: {
      name: { type: 'string' },
      type: { type: 'string' },
      status: { enum: ['initializing', 'running', 'error', 'stopped'] },
      handler: { type: ['string', 'null'] },
      interface: { type: ['object', 'null'] },
      config: { type: 'object' },
      timeout_ms: { type: 'integer' },
      message_count: { type: 'integer' },
      last_error: {
        anyOf: [{ type: 'null' }, { type: 'object', required: ['message', 'at'], properties: { message: { type: 'string' }, at: { type: 'string' } } }],
      },
      timers: names,
    },
  },
}

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
