/**
 * The inputs and results of the operations in schemas.ts, as TypeScript sees
 * them. A value reaches these types only through a compiled schema (check.ts)
 * or from code that built it, never through a cast.
 */

export type SendTaskInput = {
  agent: string
  task: string
}

export type MessageInput = {
  from: string
  to: string
  content: string
}

export type MutationInput =
  | { op: 'add_agent'; spec: Record<string, unknown>; connections?: string[]; incoming?: string[] }
  | { op: 'remove_agent'; name: string }
  | { op: 'topology'; add?: unknown[]; remove?: unknown[] }
  | { op: 'scale'; base: string; count: number }
  | { op: 'add_object'; spec: Record<string, unknown>; connections?: string[]; incoming?: string[] }
  | { op: 'remove_object'; name: string }
  | { op: 'configure_object'; name: string; config: Record<string, unknown> }
  | { op: 'set_skill'; agent: string; skill: string; content: string }

export type SendTaskResult =
  | { delivery: 'in_process'; task_id: number | string }
  | { delivery: 'queued'; task_id: number }
  /** handed to a server, which located the swarm on its side; `response` is its answer */
  | { delivery: 'server'; url: string; response: Record<string, unknown> }

export type RoutedResult = {
  status: 'routed'
  from: string
  to: string
  swarm: string
}

export type MutationOutcome = {
  added: string[]
  removed: string[]
  failed: string[]
  overlay_seq: number
}

export type Pong = {
  pong: true
  swarm: string
  pid: number
  at: string
}

export type Empty = Record<string, never>
