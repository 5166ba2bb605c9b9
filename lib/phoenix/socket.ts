import { ChannelServer, type ChannelServerHost } from './channel-server.js'
import { CloseCode } from './close-codes.js'
import { isProtocolError, ProtocolErrorCode, type RecoveredAddress } from './errors.js'
import { clip, WarningAggregator } from './log-aggregator.js'
import { ok, refuse, replyFrame, SocketReason } from './replies.js'
import { binaryPushAddress, type Serializer } from './serializer.js'
import { findChannel } from './topics.js'
import { idleSweep, type IdleSweep, type IdleWatched } from './idle-sweep.js'
import { DEFAULT_LIMITS, silentLogger, type ChannelDefinition, type Logger, type Message, type Reply, type SocketLimits, type Transport } from './types.js'

export interface PhoenixSocketOptions {
  transport: Transport
  serializer: Serializer
  channels: readonly ChannelDefinition[]
  /** connect params (query string minus vsn), handed to every channel */
  params?: Record<string, string>
  limits?: Partial<SocketLimits>
  logger?: Logger
}

const HEARTBEAT_TOPIC = 'phoenix'

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>)

function frozenParams(params: Record<string, string> | undefined): Readonly<Record<string, string>> {
  if (!params || Object.keys(params).length === 0) return NO_PARAMS
  return Object.freeze(Object.assign(Object.create(null) as Record<string, string>, params))
}

/** Servers hand every socket the same limits object; each gets the same resolved one back instead of a copy. */
const resolved = new WeakMap<Partial<SocketLimits>, SocketLimits>()
const DEFAULTS_RESOLVED: SocketLimits = Object.freeze({ ...DEFAULT_LIMITS })

function resolveLimits(limits: Partial<SocketLimits> | undefined): SocketLimits {
  if (!limits) return DEFAULTS_RESOLVED
  let full = resolved.get(limits)
  if (!full) {
    full = Object.freeze({ ...DEFAULT_LIMITS, ...limits })
    resolved.set(limits, full)
  }
  return full
}

/**
 * One client connection speaking the Phoenix socket protocol, independent of
 * the WebSocket library: frames come in through handleText/handleBinary, go
 * out through the transport. The socket decodes frames, answers heartbeats,
 * keeps the socket-wide limits (channels, outgoing bytes, idle time) and
 * routes every other message to the ChannelServer of its topic, which owns
 * that topic's mailbox and the order of its replies and pushes. Topics do not
 * wait for each other.
 */
export class PhoenixSocket implements ChannelServerHost, IdleWatched {
  readonly params: Readonly<Record<string, string>>
  readonly limits: SocketLimits
  readonly logger: Logger
  lastHeardAt = Date.now()
  private readonly transport: Transport
  private readonly serializer: Serializer
  private readonly definitions: readonly ChannelDefinition[]
  private readonly servers = new Map<string, ChannelServer>()
  private readonly idle: IdleSweep
  private warningsMade: WarningAggregator | null = null
  private closed = false

  constructor(opts: PhoenixSocketOptions) {
    this.transport = opts.transport
    this.serializer = opts.serializer
    this.definitions = opts.channels
    this.limits = resolveLimits(opts.limits)
    this.logger = opts.logger ?? silentLogger
    this.params = frozenParams(opts.params)
    this.idle = idleSweep(this.limits.idleTimeoutMs)
    this.idle.add(this)
  }

  /** Made on the first warning: most sockets never have one. */
  get warnings(): WarningAggregator {
    this.warningsMade ??= new WarningAggregator(this.logger, this.limits.warnIntervalMs)
    return this.warningsMade
  }

  /** @internal the idle sweep found no frame for idleTimeoutMs */
  idleExpired(): void {
    this.logger.info({ idleTimeoutMs: this.limits.idleTimeoutMs }, 'phoenix socket idle: closing')
    this.shutdown(CloseCode.idleTimeout, 'idle timeout')
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** joined channels plus joins in flight */
  get channelCount(): number {
    return this.servers.size
  }

  handleText(text: string): void {
    if (this.closed) return
    this.lastHeardAt = Date.now()
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
    this.lastHeardAt = Date.now()
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
    this.route(msg)
  }

  private route(msg: Message): void {
    const server = this.servers.get(msg.topic)
    if (server) server.deliver(msg)
    else if (msg.event === 'phx_join') this.join(msg)
    else this.reply(msg, msg.event === 'phx_leave' ? ok() : refuse(SocketReason.unmatchedTopic))
  }

  private join(msg: Message): void {
    const definition = findChannel(this.definitions, msg.topic)
    if (!definition) {
      this.reply(msg, refuse(SocketReason.unmatchedTopic))
      return
    }
    if (this.servers.size >= this.limits.maxChannels) {
      this.warnings.warn('channels', { topic: clip(msg.topic), maxChannels: this.limits.maxChannels }, 'join refused: too many channels')
      this.reply(msg, refuse(SocketReason.tooManyChannels))
      return
    }
    const server = new ChannelServer(this, definition, msg)
    this.servers.set(msg.topic, server)
    server.deliver(msg)
  }

  /** @internal A channel server ended (leave, rejoin, crash, refused join); what it had not handled is routed again. */
  ended(server: ChannelServer, leftover: Message[]): void {
    if (this.servers.get(server.topic) === server) this.servers.delete(server.topic)
    for (const msg of leftover) {
      if (this.closed) return
      this.route(msg)
    }
  }

  private reply(to: RecoveredAddress, reply: Reply): void {
    this.send(replyFrame(to, reply))
  }

  /** @internal encodes and writes one frame within the outgoing budget (ChannelServerHost) */
  send(msg: Message): void {
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

  /** code null: the transport is already gone, so only local cleanup happens. */
  private shutdown(code: number | null, reason: string): void {
    if (this.closed) return
    this.closed = true
    this.idle.delete(this)
    this.warningsMade?.flush()
    if (code !== null) {
      try {
        this.transport.close(code, reason)
      } catch (err) {
        this.logger.warn({ err }, 'transport close failed')
      }
    }
    const servers = [...this.servers.values()]
    this.servers.clear()
    for (const server of servers) server.close()
  }
}
