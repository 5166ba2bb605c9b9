/**
 * The channel plug-in interface and the pieces a PhoenixSocket is built from.
 * Channels never see the wire format: they get a context to push with and
 * answer joins and inbound events with a Reply.
 */

export interface Reply {
  status: 'ok' | 'error'
  response: Record<string, unknown>
}

export interface ChannelContext {
  readonly topic: string
  readonly joinRef: string
  /** connect params of the socket (query string of the websocket URL, minus vsn) */
  readonly params: Record<string, string>
  /** push a server event to the client on this channel: [join_ref, null, topic, event, payload] */
  push(event: string, payload: unknown): void
  /**
   * The same as push, for a message that already has the shape `{event, payload}`
   * (what a PubSub topic carries): a channel can subscribe it directly, so a
   * forwarded push does not pass through the channel's own code.
   */
  forward(message: { event: string; payload: unknown }): void
}

export interface Channel {
  /** status 'error' refuses the join (the channel is then discarded, terminate is NOT called) */
  join(payload: unknown): Reply | Promise<Reply>
  handleIn(event: string, payload: unknown): Reply | Promise<Reply>
  /** called exactly once when a joined channel ends: 'leave' | 'rejoin' | 'closed' (socket gone) | 'error' (channel crashed) */
  terminate(reason: TerminateReason): void
}

export type TerminateReason = 'leave' | 'rejoin' | 'closed' | 'error'

export interface ChannelDefinition {
  /** e.g. 'swarm:*' (a trailing * matches any suffix) or an exact topic */
  pattern: string
  create(ctx: ChannelContext): Channel
}

/** One decoded frame, whatever the serializer. V1 frames carry no join_ref (null). */
export interface Message {
  joinRef: string | null
  ref: string | null
  topic: string
  event: string
  payload: unknown
}

export interface Transport {
  send(text: string): void
  close(code: number, reason: string): void
  /** bytes accepted by send() but not yet written to the network */
  bufferedAmount(): number
}

/** pino-compatible subset; Fastify's request.log fits. */
export interface Logger {
  debug(obj: object, msg: string): void
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface SocketLimits {
  /** joined (or joining) channels per socket; the next join is refused */
  maxChannels: number
  /** no frame received for this long closes the socket */
  idleTimeoutMs: number
  /** outbound bytes queued beyond this close the socket instead of growing memory */
  maxBufferedBytes: number
  /** messages waiting behind a pending async join/handleIn on one topic; beyond it they are refused */
  maxPendingPerTopic: number
  /** a warning one client can repeat per frame (malformed, binary, refused) is logged once, then summed up at most this often and at close */
  warnIntervalMs: number
}

export const DEFAULT_LIMITS: Readonly<SocketLimits> = Object.freeze({
  maxChannels: 100,
  idleTimeoutMs: 60_000,
  maxBufferedBytes: 1024 * 1024,
  maxPendingPerTopic: 1000,
  warnIntervalMs: 10_000,
})

/** Largest inbound frame worth accepting; pass it as the ws `maxPayload` server option. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
}
