/** JSON schemas shared by the route files. */

const name = { type: 'string', minLength: 1, maxLength: 200 } as const

export const swarmParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { ...name, description: 'swarm name' } },
  additionalProperties: false,
} as const

export const agentParams = {
  type: 'object',
  required: ['name', 'agent'],
  properties: { name: { ...name, description: 'swarm name' }, agent: { ...name, description: 'agent name' } },
  additionalProperties: false,
} as const

/** Query limits are capped at this many entries. */
export const MAX_LIMIT = 1000
/** Larger values are refused: a value past any sensible count is a mistake, not a request for everything. */
export const LIMIT_CEILING = 1_000_000

export const limitProperty = {
  type: 'integer',
  minimum: 1,
  maximum: LIMIT_CEILING,
  default: 100,
  description: `how many entries (default 100, served up to ${MAX_LIMIT}; over ${LIMIT_CEILING} is refused)`,
} as const

export const limitQuery = { type: 'object', properties: { limit: limitProperty }, additionalProperties: false } as const

export const noQuery = { type: 'object', properties: {}, additionalProperties: false } as const

export function cap(limit: number | undefined): number {
  return Math.min(limit ?? 100, MAX_LIMIT)
}

/** A documented response whose body is serialized as is. */
export function reply(description: string) {
  return { description, type: 'object', additionalProperties: true } as const
}

export const errorReply = {
  description: '`{error, code}`',
  type: 'object',
  properties: { error: { type: 'string' }, code: { type: 'string' } },
  additionalProperties: true,
} as const

/** The two ways a request names a swarm config: inline, or a file inside the working directory. */
export const configSourceProperties = {
  config: { type: 'object', description: 'swarm config, as in a config file' },
  config_path: { type: 'string', minLength: 1, maxLength: 4096, description: 'path of a .json/.yaml file inside the working directory' },
} as const
