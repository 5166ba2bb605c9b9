import { CloseCode } from './close-codes.js'
import { isProtocolError, ProtocolErrorCode, type RecoveredAddress } from './errors.js'
import { isReply, ok, refuse, SocketReason } from './replies.js'
import { WarningAggregator } from './log-aggregator.js'
import { binaryPushAddress, type Serializer } from './serializer.js'
import { findChannel } from './topics.js'
import {
  DEFAULT_LIMITS,
  silentLogger,
  type Channel,
  type ChannelContext,
  type ChannelDefinition,
  type Logger,
  type Message,
  type Reply,
  type SocketLimits,
  type TerminateReason,
  type Transport,
} from './types.js'

export interface PhoenixSocketOptions {
  transport: Transport
  serializer: Serializer
  channels: readonly ChannelDefinition[]
  /** connect params (query string minus vsn), handed to every channel */
  params?: Record<string, string>
  limits?: Partial<SocketLimits>
  logger?: Logger
}

interface ChannelEntry {
  readonly topic: string
  /** join_ref as the client sent it; V1 clients send none, and then no message is ever stale */
  readonly wireJoinRef: string | null
  state: 'joining' | 'joined' | 'closed'
  channel: Channel | null
  /** pushes made before the join reply went out; the client must see the reply first */
  early: Array<[event: string, payload: unknown]>
}

const HEARTBEAT_TOPIC = 'phoenix'

/**
 * One client connection speaking the Phoenix socket protocol, independent of
 * the WebSocket library: frames come in through handleText/handleBinary, go
 * out through the transport. Messages of one topic are handled one at a time
 * and in order (a Phoenix channel is a process with a mailbox); topics do not
 * wait for each other.
 */
export class PhoenixSocket {
  private readonly transport: Transport
  private readonly serializer: Serializer
  private readonly definitions: readonly ChannelDefinition[]
  private readonly params: Readonly<Record<string, string>>
  private readonly limits: SocketLimits
  private readonly logger: Logger
  private readonly channels = new Map<string, ChannelEntry>()
  /** topics with an async join/handleIn in flight, and the messages queued behind it */
  private readonly waiting = new Map<string, Message[]>()
  private readonly idleTimer: NodeJS.Timeout
  private readonly warnings: WarningAggregator
  private closed = false

  constructor(opts: PhoenixSocketOptions) {
    this.transport = opts.transport
    this.serializer = opts.serializer
    this.definitions = opts.channels
    this.params = Object.freeze(Object.assign(Object.create(null) as Record<string, string>, opts.params))
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits }
    this.logger = opts.logger ?? silentLogger
    this.warnings = new WarningAggregator(this.logger, this.limits.warnIntervalMs)
    this.idleTimer = setTimeout(() => {
      this.logger.info({ idleTimeoutMs: this.limits.idleTimeoutMs }, 'phoenix socket idle: closing')
      this.shutdown(CloseCode.idleTimeout, 'idle timeout')
    }, this.limits.idleTimeoutMs)
    this.idleTimer.unref()
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** joined channels plus joins in flight */
  get channelCount(): number {
    return this.channels.size
  }

  handleText(text: string): void {
    if (this.closed) return
    this.idleTimer.refresh()
    let msg: Message
    try {
      msg = this.serializer.decode(text)
    } catch (err) {
      this.dropMalformed(err, text.length)
      return
    }
    try {
      this.dispatch(msg)
    } catch (err) {
      // Last line of defence: nothing a frame does may take the socket (or the process) down.
      this.logger.error({ err, topic: msg.topic, event: msg.event }, 'phoenix socket failed handling a message')
    }
  }

  handleBinary(bytes: Uint8Array): void {
    if (this.closed) return
    this.idleTimer.refresh()
    const address = this.serializer.vsn === '2.0.0' ? binaryPushAddress(bytes) : null
    this.warnings.warn('binary', { code: ProtocolErrorCode.binaryFrame, bytes: bytes.length, topic: clip(address?.topic) }, 'binary frame dropped: not supported')
    if (address) this.reply(address, refuse(SocketReason.binaryUnsupported))
  }

  /** The transport is gone: every channel ends with 'closed', later sends are no-ops. */
  handleClose(): void {
    this.shutdown(null, '')
  }

  /** Close from the server side (e.g. on shutdown). */
  close(code: number = CloseCode.normal, reason = 'server closing'): void {
    this.shutdown(code, reason)
  }

  private dispatch(msg: Message): void {
    if (msg.topic === HEARTBEAT_TOPIC && msg.event === 'heartbeat') {
      this.reply(msg, ok())
      return
    }
    const queue = this.waiting.get(msg.topic)
    if (!queue) {
      this.drain(msg.topic, [msg])
    } else if (queue.length < this.limits.maxPendingPerTopic) {
      queue.push(msg)
    } else {
      this.warnings.warn('pending', { topic: clip(msg.topic), event: clip(msg.event) }, 'too many messages waiting on a busy topic: refused')
      this.reply(msg, refuse(SocketReason.tooManyPending))
    }
  }

  private drain(topic: string, queue: Message[]): void {
    while (!this.closed) {
      const msg = queue.shift()
      if (!msg) return
      const pending = this.route(msg)
      if (pending) {
        this.waiting.set(topic, queue)
        void pending.then(() => {
          if (this.waiting.get(topic) !== queue) return // socket closed meanwhile
          this.waiting.delete(topic)
          this.drain(topic, queue)
        })
        return
      }
    }
  }

  /** Returns a promise when the message is handled asynchronously; it never rejects. */
  private route(msg: Message): Promise<void> | undefined {
    const entry = this.channels.get(msg.topic)
    if (msg.event === 'phx_join') {
      if (entry) this.end(entry, 'rejoin')
      return this.join(msg)
    }
    if (!entry) {
      this.reply(msg, msg.event === 'phx_leave' ? ok() : refuse(SocketReason.unmatchedTopic))
      return undefined
    }
    if (entry.wireJoinRef !== null && entry.wireJoinRef !== msg.joinRef) {
      // The client raced a close or rejoin; Phoenix ignores these silently.
      this.logger.debug({ topic: msg.topic, event: msg.event, joinRef: msg.joinRef, current: entry.wireJoinRef }, 'stale join_ref: message ignored')
      return undefined
    }
    if (msg.event === 'phx_leave') {
      this.reply(msg, ok())
      this.end(entry, 'leave')
      return undefined
    }
    return this.handleIn(entry, msg)
  }

  private join(msg: Message): Promise<void> | undefined {
    const definition = findChannel(this.definitions, msg.topic)
    if (!definition) {
      this.reply(msg, refuse(SocketReason.unmatchedTopic))
      return undefined
    }
    if (this.channels.size >= this.limits.maxChannels) {
      this.warnings.warn('channels', { topic: clip(msg.topic), maxChannels: this.limits.maxChannels }, 'join refused: too many channels')
      this.reply(msg, refuse(SocketReason.tooManyChannels))
      return undefined
    }
    const entry: ChannelEntry = { topic: msg.topic, wireJoinRef: msg.joinRef, state: 'joining', channel: null, early: [] }
    this.channels.set(msg.topic, entry)
    return this.settle(
      () => {
        entry.channel = definition.create(this.contextFor(entry, msg))
        return entry.channel.join(msg.payload)
      },
      (reply) => this.joinSettled(entry, msg, reply),
      (err) => this.joinCrashed(entry, msg, err),
    )
  }

  private joinSettled(entry: ChannelEntry, msg: Message, reply: unknown): void {
    if (!isReply(reply)) {
      this.joinCrashed(entry, msg, new TypeError('join returned something that is not a Reply'))
      return
    }
    if (entry.state === 'closed') {
      // The socket went away during an async join: a channel that thinks it joined must still be told.
      if (reply.status === 'ok') this.terminate(entry, 'closed')
      return
    }
    if (reply.status === 'error') {
      this.forget(entry)
      this.reply(msg, reply)
      return
    }
    entry.state = 'joined'
    this.reply(msg, reply)
    const early = entry.early
    entry.early = []
    for (const [event, payload] of early) this.push(entry, event, payload)
  }

  private joinCrashed(entry: ChannelEntry, msg: Message, err: unknown): void {
    this.logger.error({ err, topic: entry.topic }, 'channel join crashed')
    this.forget(entry)
    this.reply(msg, refuse(SocketReason.joinCrashed))
  }

  private handleIn(entry: ChannelEntry, msg: Message): Promise<void> | undefined {
    const channel = entry.channel as Channel
    return this.settle(
      () => channel.handleIn(msg.event, msg.payload),
      (reply) => {
        if (!isReply(reply)) {
          this.crashed(entry, msg, new TypeError('handleIn returned something that is not a Reply'))
        } else if (entry.state === 'joined') {
          this.reply(msg, reply)
        }
      },
      (err) => this.crashed(entry, msg, err),
    )
  }

  private crashed(entry: ChannelEntry, msg: Message, err: unknown): void {
    this.logger.error({ err, topic: entry.topic, event: msg.event }, 'channel crashed')
    if (entry.state === 'joined') this.end(entry, 'error')
  }

  /** Ends a joined channel the way Phoenix does: phx_close (or phx_error) carrying its join_ref as ref too. */
  private end(entry: ChannelEntry, reason: Exclude<TerminateReason, 'closed'>): void {
    this.forget(entry)
    const event = reason === 'error' ? 'phx_error' : 'phx_close'
    this.send({ joinRef: entry.wireJoinRef, ref: entry.wireJoinRef, topic: entry.topic, event, payload: {} })
    this.terminate(entry, reason)
  }

  private forget(entry: ChannelEntry): void {
    if (this.channels.get(entry.topic) === entry) this.channels.delete(entry.topic)
    entry.state = 'closed'
    entry.early = []
  }

  private terminate(entry: ChannelEntry, reason: TerminateReason): void {
    try {
      entry.channel?.terminate(reason)
    } catch (err) {
      this.logger.error({ err, topic: entry.topic, reason }, 'channel terminate threw')
    }
  }

  private contextFor(entry: ChannelEntry, join: Message): ChannelContext {
    return Object.freeze({
      topic: entry.topic,
      joinRef: join.joinRef ?? join.ref ?? '',
      params: this.params,
      push: (event: string, payload: unknown) => this.push(entry, event, payload),
    })
  }

  private push(entry: ChannelEntry, event: string, payload: unknown): void {
    if (entry.state === 'joining') {
      if (entry.early.length < this.limits.maxPendingPerTopic) entry.early.push([event, payload])
      else this.warnings.warn('early', { topic: clip(entry.topic), event }, 'push before join reply dropped: too many queued')
      return
    }
    if (entry.state === 'joined') this.send({ joinRef: entry.wireJoinRef, ref: null, topic: entry.topic, event, payload })
  }

  private reply(to: RecoveredAddress, reply: Reply): void {
    this.send({
      joinRef: to.joinRef,
      ref: to.ref,
      topic: to.topic,
      event: 'phx_reply',
      payload: { status: reply.status, response: reply.response },
    })
  }

  private send(msg: Message): void {
    if (this.closed) return
    let text: string
    try {
      text = this.serializer.encode(msg)
    } catch (err) {
      this.logger.error({ err, topic: msg.topic, event: msg.event }, 'message not serializable: dropped')
      if (msg.event === 'phx_reply' && msg.ref !== null) this.reply(msg, refuse(SocketReason.unserializableReply))
      return
    }
    // Every byte still queued for this client counts, the frames of this very
    // tick included: a client that pipelines requests and never reads must hit
    // the budget before their replies pile up. A single frame larger than the
    // whole budget still goes out onto an empty queue, or a client that reads
    // could never receive it.
    const bytes = Buffer.byteLength(text)
    const buffered = this.transport.bufferedAmount()
    if (buffered > 0 && buffered + bytes > this.limits.maxBufferedBytes) {
      this.logger.warn({ buffered, frameBytes: bytes, maxBufferedBytes: this.limits.maxBufferedBytes }, 'slow consumer: closing phoenix socket')
      this.shutdown(CloseCode.slowConsumer, 'slow consumer')
      return
    }
    try {
      this.transport.send(text)
    } catch (err) {
      this.logger.error({ err }, 'transport send failed: closing phoenix socket')
      this.shutdown(CloseCode.internalError, 'send failed')
    }
  }

  private dropMalformed(err: unknown, bytes: number): void {
    if (!isProtocolError(err)) {
      this.logger.error({ err }, 'serializer failed unexpectedly: frame dropped')
      return
    }
    this.warnings.warn('malformed', { code: err.code, reason: err.message, bytes }, 'malformed frame dropped')
    if (err.recovered) this.reply(err.recovered, refuse(SocketReason.malformedMessage))
  }

  /** Runs a channel callback that may return a value or a promise; errors (sync or async) go to onError. */
  private settle<T>(run: () => T | Promise<T>, onValue: (value: T) => void, onError: (err: unknown) => void): Promise<void> | undefined {
    let result: T | Promise<T>
    try {
      result = run()
    } catch (err) {
      onError(err)
      return undefined
    }
    if (!isThenable(result)) {
      onValue(result)
      return undefined
    }
    return Promise.resolve(result)
      .then(onValue, onError)
      .catch((err: unknown) => this.logger.error({ err }, 'phoenix socket failed settling a channel callback'))
  }

  /** code null: the transport is already gone, so only local cleanup happens. */
  private shutdown(code: number | null, reason: string): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.idleTimer)
    this.waiting.clear()
    this.warnings.flush()
    if (code !== null) {
      try {
        this.transport.close(code, reason)
      } catch (err) {
        this.logger.warn({ err }, 'transport close failed')
      }
    }
    const entries = [...this.channels.values()]
    this.channels.clear()
    for (const entry of entries) {
      const wasJoined = entry.state === 'joined'
      entry.state = 'closed'
      entry.early = []
      if (wasJoined) this.terminate(entry, 'closed')
    }
  }
}

const MAX_LOGGED_NAME = 100

/** Topics and events are client text of any length; a log line gets their start. */
function clip(name: string | undefined): string | undefined {
  return name === undefined || name.length <= MAX_LOGGED_NAME ? name : `${name.slice(0, MAX_LOGGED_NAME)}…`
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'
}
