/** The object module contract (docs/objects.md). */

export interface ObjectMessage {
  from: string
  content: string
}

/** What a handler call may answer; undefined keeps the state and sends nothing. */
export interface ObjectResult {
  state?: unknown
  reply?: string
  send?: { to: string; content: string }[]
  broadcast?: string
}

/** What an object answers to an ask: its reply, or why there is none. */
export type ObjectAnswer = { ok: true; reply: string } | { ok: false; error: string }

export interface ObjectLogger {
  debug(message: string, metadata?: Record<string, unknown>): void
  info(message: string, metadata?: Record<string, unknown>): void
  warning(message: string, metadata?: Record<string, unknown>): void
  error(message: string, metadata?: Record<string, unknown>): void
}

export interface ObjectContext {
  readonly swarm: string
  readonly object: string
  /** (re)arms a one-shot timer; when it fires, `handleTimer(name, state, ctx)` runs */
  setTimer(name: string, ms: number): void
  clearTimer(name: string): void
  readonly log: ObjectLogger
  /** a message into another swarm, sent from its `gateway` node along gateway's edges */
  sendToSwarm(swarm: string, to: string, content: string): Promise<void>
}

type Maybe<T> = T | Promise<T>

export interface ObjectModule {
  init?(config: Record<string, unknown>, ctx: ObjectContext): Maybe<ObjectResult | undefined | void>
  handleMessage?(message: ObjectMessage, state: unknown, ctx: ObjectContext): Maybe<ObjectResult | undefined | void>
  handleTimer?(name: string, state: unknown, ctx: ObjectContext): Maybe<ObjectResult | undefined | void>
  configure?(config: Record<string, unknown>, state: unknown, ctx: ObjectContext): Maybe<ObjectResult | undefined | void>
  terminate?(state: unknown, ctx: ObjectContext): Maybe<unknown>
  interface?: Record<string, unknown>
}

export type ObjectState = 'initializing' | 'running' | 'error' | 'stopped'

export interface ObjectStatus {
  name: string
  type: string
  status: ObjectState
  /** the module path as configured; null for an object without behaviour */
  handler: string | null
  interface: Record<string, unknown> | null
  config: Record<string, unknown>
  timeout_ms: number
  message_count: number
  last_error: { message: string; at: string } | null
  timers: string[]
}

/** What the runtime asks of the swarm it lives in. */
export interface ObjectHost {
  readonly swarm: string
  /** a reply goes back to the one who wrote; it needs no edge */
  objectReply(object: string, to: string, content: string): void
  /** send and broadcast are routed like any node's message */
  objectSend(object: string, to: string, content: string): void
  objectBroadcast(object: string, content: string): void
  objectEvent(event: { event_type: string; object: string; message: string; level?: 'debug' | 'info' | 'warning' | 'error'; metadata?: Record<string, unknown> }): void
  sendToSwarm(swarm: string, to: string, content: string): Promise<void>
}

export const DEFAULT_OBJECT_TIMEOUT_MS = 5000
