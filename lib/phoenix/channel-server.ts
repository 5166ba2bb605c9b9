import { clip, type WarningAggregator } from './log-aggregator.js'
import { isReply, ok, refuse, replyFrame, SocketReason } from './replies.js'
import type { Channel, ChannelContext, ChannelDefinition, Logger, Message, SocketLimits, TerminateReason } from './types.js'

/** What a channel server needs from the socket it lives on. */
export interface ChannelServerHost {
  readonly params: Readonly<Record<string, string>>
  readonly limits: SocketLimits
  readonly logger: Logger
  readonly warnings: WarningAggregator
  /** encodes and writes one frame within the socket's outgoing budget; may close the socket */
  send(msg: Message): void
  /** the server has ended; messages it had not handled yet are routed on its topic again, in order */
  ended(server: ChannelServer, leftover: Message[]): void
}

type State = 'joining' | 'joined' | 'closed'

/**
 * One joined topic on one socket, from its phx_join to its end: the part of
 * a Phoenix channel process that the wire sees. It owns the topic's state and
 * join_ref, and a mailbox handled one message at a time, in arrival order; an
 * async join or handleIn holds back later messages of this topic only.
 *
 * Ordering: while a message is being handled (from the call into the channel
 * until its reply is written, sync or async) the channel's pushes are held and
 * go out right after the reply, in the order they were made; so a reply always
 * comes before the pushes its request caused, and a join reply before the
 * pushes made during the join. Pushes made between messages go out at once.
 */
export class ChannelServer {
  readonly topic: string
  readonly #host: ChannelServerHost
  readonly #definition: ChannelDefinition
  /** join_ref as the client sent it; V1 clients send none, and then no message is ever stale */
  readonly #wireJoinRef: string | null
  #state: State = 'joining'
  #channel: Channel | null = null
  #mailbox: Message[] = []
  /** a message is being handled and its reply has not gone out yet */
  #busy = false
  #held: Array<[event: string, payload: unknown]> = []

  constructor(host: ChannelServerHost, definition: ChannelDefinition, join: Message) {
    this.#host = host
    this.#definition = definition
    this.topic = join.topic
    this.#wireJoinRef = join.joinRef
  }

  /** Every message of the topic comes in here, its phx_join first. */
  deliver(msg: Message): void {
    if (this.#state === 'closed') return
    if (!this.#busy) {
      this.#mailbox.push(msg)
      this.#drain()
    } else if (this.#mailbox.length < this.#host.limits.maxPendingPerTopic) {
      this.#mailbox.push(msg)
    } else {
      this.#host.warnings.warn('pending', { topic: clip(msg.topic), event: clip(msg.event) }, 'too many messages waiting on a busy topic: refused')
      this.#host.send(replyFrame(msg, refuse(SocketReason.tooManyPending)))
    }
  }

  /**
   * The socket is gone: a joined channel is terminated with 'closed', one
   * still joining is told once its join succeeds; nothing more is sent.
   */
  close(): void {
    if (this.#state === 'closed') return
    const wasJoined = this.#state === 'joined'
    this.#forget()
    if (wasJoined) this.#terminate('closed')
  }

  #drain(): void {
    while (!this.#busy && this.#state !== 'closed') {
      const msg = this.#mailbox.shift()
      if (!msg) return
      this.#busy = true
      const pending = this.#handle(msg)
      if (pending) {
        void pending.then(() => {
          this.#release()
          this.#drain()
        })
        return
      }
      this.#release()
    }
  }

  /** Returns a promise when the channel answers asynchronously; it never rejects. */
  #handle(msg: Message): Promise<void> | undefined {
    if (this.#state === 'joining') return this.#join(msg)
    if (msg.event === 'phx_join') {
      // Phoenix closes the old join before it starts the new one, whose server is a new one.
      this.#mailbox.unshift(msg)
      this.#end('rejoin')
      return undefined
    }
    if (this.#wireJoinRef !== null && this.#wireJoinRef !== msg.joinRef) {
      // The client raced a close or rejoin; Phoenix ignores these silently.
      this.#host.logger.debug({ topic: msg.topic, event: msg.event, joinRef: msg.joinRef, current: this.#wireJoinRef }, 'stale join_ref: message ignored')
      return undefined
    }
    if (msg.event === 'phx_leave') {
      this.#host.send(replyFrame(msg, ok()))
      this.#end('leave')
      return undefined
    }
    const channel = this.#channel as Channel
    return this.#settle(
      () => channel.handleIn(msg.event, msg.payload),
      (reply) => {
        if (!isReply(reply)) this.#crashed(msg, new TypeError('handleIn returned something that is not a Reply'))
        else if (this.#state === 'joined') this.#host.send(replyFrame(msg, reply))
      },
      (err) => this.#crashed(msg, err),
    )
  }

  #join(msg: Message): Promise<void> | undefined {
    return this.#settle(
      () => {
        this.#channel = this.#definition.create(this.#context(msg))
        return this.#channel.join(msg.payload)
      },
      (reply) => this.#joinSettled(msg, reply),
      (err) => this.#joinCrashed(msg, err),
    )
  }

  #joinSettled(msg: Message, reply: unknown): void {
    if (!isReply(reply)) {
      this.#joinCrashed(msg, new TypeError('join returned something that is not a Reply'))
      return
    }
    if (this.#state === 'closed') {
      // The socket went away during an async join: a channel that thinks it joined must still be told.
      if (reply.status === 'ok') this.#terminate('closed')
      return
    }
    if (reply.status === 'error') {
      this.#host.send(replyFrame(msg, reply))
      this.#ended()
      return
    }
    this.#state = 'joined'
    this.#host.send(replyFrame(msg, reply))
  }

  #joinCrashed(msg: Message, err: unknown): void {
    this.#host.logger.error({ err, topic: this.topic }, 'channel join crashed')
    if (this.#state === 'closed') return
    this.#host.send(replyFrame(msg, refuse(SocketReason.joinCrashed)))
    this.#ended()
  }

  #crashed(msg: Message, err: unknown): void {
    this.#host.logger.error({ err, topic: this.topic, event: msg.event }, 'channel crashed')
    if (this.#state !== 'joined') return
    // What the channel pushed before it crashed was on its way; phx_error comes after it, as in Phoenix.
    this.#release()
    this.#end('error')
  }

  /** Pushes held during the message just handled follow its reply. */
  #release(): void {
    this.#busy = false
    const held = this.#held
    this.#held = []
    for (const [event, payload] of held) {
      if (this.#state !== 'joined') return
      this.#sendPush(event, payload)
    }
  }

  /** @internal what the channel's context pushes through */
  push(event: string, payload: unknown): void {
    if (this.#state === 'closed') return
    if (!this.#busy) {
      this.#sendPush(event, payload)
    } else if (this.#held.length < this.#host.limits.maxPendingPerTopic) {
      this.#held.push([event, payload])
    } else if (this.#state === 'joining') {
      this.#host.warnings.warn('early', { topic: clip(this.topic), event }, 'push before join reply dropped: too many queued')
    } else {
      this.#host.warnings.warn('held', { topic: clip(this.topic), event }, 'push before a reply dropped: too many held')
    }
  }

  #sendPush(event: string, payload: unknown): void {
    this.#host.send({ joinRef: this.#wireJoinRef, ref: null, topic: this.topic, event, payload })
  }

  /** Ends a joined channel the way Phoenix does: phx_close (or phx_error) carrying its join_ref as ref too. */
  #end(reason: Exclude<TerminateReason, 'closed'>): void {
    const event = reason === 'error' ? 'phx_error' : 'phx_close'
    this.#state = 'closed'
    this.#held = []
    this.#host.send({ joinRef: this.#wireJoinRef, ref: this.#wireJoinRef, topic: this.topic, event, payload: {} })
    this.#terminate(reason)
    this.#ended()
  }

  /** Hands the unhandled messages back to the socket; the topic is free for a new join. */
  #ended(): void {
    const leftover = this.#mailbox
    this.#forget()
    this.#host.ended(this, leftover)
  }

  #forget(): void {
    this.#state = 'closed'
    this.#mailbox = []
    this.#held = []
  }

  #terminate(reason: TerminateReason): void {
    try {
      this.#channel?.terminate(reason)
    } catch (err) {
      this.#host.logger.error({ err, topic: this.topic, reason }, 'channel terminate threw')
    }
  }

  #context(join: Message): ChannelContext {
    return new ServerContext(this, join.joinRef ?? join.ref ?? '', this.#host.params)
  }

  /**
   * Runs a channel callback that may answer at once or with a promise. A sync
   * answer is handled before this returns, so a sync channel costs no extra
   * tick; errors, thrown or rejected, go to onError. The promise returned for
   * an async answer never rejects.
   */
  #settle<T>(run: () => T | Promise<T>, onValue: (value: T) => void, onError: (err: unknown) => void): Promise<void> | undefined {
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
      .catch((err: unknown) => this.#host.logger.error({ err, topic: this.topic }, 'channel server failed settling a channel callback'))
  }
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * The context a channel gets, held for the channel's whole life. push and
 * forward stay functions a channel can hand around on their own; assigned in
 * the constructor they share one scope and carry no name property each
 * (which a transpiler keeping function names would add to arrows written in
 * an object literal).
 */
class ServerContext implements ChannelContext {
  readonly topic: string
  readonly joinRef: string
  readonly params: Record<string, string>
  readonly push: (event: string, payload: unknown) => void
  readonly forward: (message: { event: string; payload: unknown }) => void

  constructor(server: ChannelServer, joinRef: string, params: Record<string, string>) {
    this.topic = server.topic
    this.joinRef = joinRef
    this.params = params
    this.push = (event, payload) => server.push(event, payload)
    this.forward = (message) => server.push(message.event, message.payload)
    Object.freeze(this)
  }
}
