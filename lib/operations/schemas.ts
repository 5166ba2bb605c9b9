/**
 * One JSON schema per operation a client can ask of a swarm. The REST routes
 * use them as body schemas, the swarm channel compiles them for its payload
 * checks, and the daemon validates its queued commands with them, so the
 * three surfaces cannot drift apart. Each schema refuses unknown fields; the
 * socket compiles them to drop unknown fields instead (see check.ts).
 */

const nodeName = { type: 'string', minLength: 1, maxLength: 200 } as const

const nameList = { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1 } } as const

const edgeList = {
  type: 'array',
  maxItems: 1000,
  description: 'edges as `[from, to]` or `{from, to}`',
  items: {
    anyOf: [
      { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
      { type: 'object', required: ['from', 'to'], properties: { from: { type: 'string' }, to: { type: 'string' } }, additionalProperties: false },
    ],
  },
} as const

/** `send_task`: a task for one agent. An empty task is accepted here; REST asks for at least one character (see taskBody). */
export const sendTask = {
  type: 'object',
  required: ['agent', 'task'],
  properties: { agent: { type: 'string', minLength: 1 }, task: { type: 'string' } },
  additionalProperties: false,
} as const

/** The REST form of send_task: the agent is in the path, and the task must not be empty. */
export const taskBody = {
  type: 'object',
  required: ['task'],
  properties: { task: { ...sendTask.properties.task, minLength: 1 } },
  additionalProperties: false,
} as const

/** `message`: routed along the topology, refused without an edge. */
export const message = {
  type: 'object',
  required: ['from', 'to', 'content'],
  properties: { from: nodeName, to: nodeName, content: { type: 'string', minLength: 1 } },
  additionalProperties: false,
} as const

/** add_agent: an agent spec as in a config file, plus `connections` (edges out) and `incoming` (edges in). */
export const addAgent = {
  type: 'object',
  required: ['name', 'backend'],
  description: 'an agent spec as in a config file, plus `connections` (edges out) and `incoming` (edges in)',
  properties: {
    name: { type: 'string', minLength: 1 },
    backend: { anyOf: [{ type: 'string' }, { type: 'object' }] },
    skills: { type: 'array', items: { type: 'string' } },
    model: { type: 'string' },
    config: { type: 'object' },
    connections: nameList,
    incoming: nameList,
  },
  additionalProperties: false,
} as const

/** add_object: an object spec as in a config file (its `handler` is required at runtime), plus `connections` and `incoming`. */
export const addObject = {
  type: 'object',
  required: ['name', 'handler'],
  description: 'an object spec as in a config file, plus `connections` (edges out) and `incoming` (edges in)',
  properties: {
    name: { type: 'string', minLength: 1 },
    type: { type: 'string', minLength: 1 },
    handler: { type: 'string', minLength: 1, description: 'an ES module inside the server\'s working directory' },
    config: { type: 'object' },
    timeout_ms: { type: 'integer', minimum: 1 },
    connections: nameList,
    incoming: nameList,
  },
  additionalProperties: false,
} as const

/** configure_object: keys merged into the object's config. */
export const objectConfig = { type: 'object', description: 'keys merged into the object\'s config' } as const

/** topology: edges to add and to remove. */
export const topology = {
  type: 'object',
  properties: { add: edgeList, remove: edgeList },
  additionalProperties: false,
} as const

export const MAX_SCALE_COUNT = 100

/** scale: how many members the group keeps. */
export const scale = {
  type: 'object',
  required: ['count'],
  properties: { count: { type: 'integer', minimum: 0, maximum: MAX_SCALE_COUNT } },
  additionalProperties: false,
} as const

/**
 * A mutation as it crosses the daemon's command queue: the op and its
 * arguments. The spec of add_agent and the edges are checked in full by the
 * swarm's own validation before anything is queued.
 */
export const mutation = {
  type: 'object',
  required: ['op'],
  oneOf: [
    {
      properties: { op: { const: 'add_agent' }, spec: { type: 'object' }, connections: nameList, incoming: nameList },
      required: ['spec'],
      additionalProperties: false,
    },
    { properties: { op: { const: 'remove_agent' }, name: { type: 'string' } }, required: ['name'], additionalProperties: false },
    { properties: { op: { const: 'topology' }, add: edgeList, remove: edgeList }, additionalProperties: false },
    { properties: { op: { const: 'scale' }, base: { type: 'string' }, count: { type: 'integer' } }, required: ['base', 'count'], additionalProperties: false },
    {
      properties: { op: { const: 'add_object' }, spec: { type: 'object' }, connections: nameList, incoming: nameList },
      required: ['spec'],
      additionalProperties: false,
    },
    { properties: { op: { const: 'remove_object' }, name: { type: 'string' } }, required: ['name'], additionalProperties: false },
    { properties: { op: { const: 'configure_object' }, name: { type: 'string' }, config: objectConfig }, required: ['name', 'config'], additionalProperties: false },
    {
      properties: { op: { const: 'set_skill' }, agent: { type: 'string' }, skill: { type: 'string' }, content: { type: 'string' } },
      required: ['agent', 'skill', 'content'],
      additionalProperties: false,
    },
  ],
} as const

/**
 * set_skill over REST: the agent and the skill are in the path; the body is
 * `{content}` as JSON, or the text itself (text/markdown, text/plain).
 */
export const skillBody = {
  anyOf: [
    { type: 'string' },
    { type: 'object', required: ['content'], properties: { content: { type: 'string' } }, additionalProperties: false },
  ],
} as const

/** Commands that take no arguments. */
export const empty = { type: 'object', additionalProperties: false } as const
