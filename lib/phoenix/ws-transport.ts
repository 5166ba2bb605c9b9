import type { RawData, WebSocket } from 'ws'
import { CloseCode } from './close-codes.js'
import { parseConnectUrl, type ConnectInfo } from './connect.js'
import { isProtocolError } from './errors.js'
import { PhoenixSocket } from './socket.js'
import { silentLogger, type ChannelDefinition, type Logger, type SocketLimits, type Transport } from './types.js'

export { parseConnectUrl, type ConnectInfo } from './connect.js'

export interface AttachOptions {
  /** the upgrade request URL, e.g. `request.url`; carries vsn and the connect params */
  url: string
  channels: readonly ChannelDefinition[]
  limits?: Partial<SocketLimits>
  logger?: Logger
  /**
   * After the server starts a close, how long the peer gets to answer the
   * closing handshake before the TCP connection is destroyed. A client that
   * stopped reading never answers, and its queued bytes must not outlive it.
   */
  closeGraceMs?: number
}

const DEFAULT_CLOSE_GRACE_MS = 1000

/** RFC 6455 caps a close reason at 123 bytes; ws throws beyond it. */
const MAX_CLOSE_REASON_BYTES = 123

/** Where the ws event listeners, shared by every socket, find the transport of the WebSocket they fire on. */
const TRANSPORT = Symbol('phoenix transport')
type TaggedWs = WebSocket & { [TRANSPORT]?: WsTransport }

interface CorkableSocket {
  cork(): void
  uncork(): void
  readonly writableLength: number
}

/** corked bytes that are written at once rather than at the end of the loop turn */
const FLUSH_BYTES = 64 * 1024

/**
 * The Transport of one ws WebSocket. It is a class with shared listeners
 * rather than closures per socket because an idle socket should cost little
 * more than the WebSocket itself: thousands stay open at once.
 *
 * Frames sent to one socket in the same turn of the event loop (an agent's
 * status change and output, a reply and the pushes behind it, the outputs of
 * several agents whose timers fired together) leave in one write instead of
 * one system call each: the system call, not the framing, is most of what a
 * push costs when one output goes to hundreds of sockets. The TCP socket is
 * corked on the first send and uncorked in the check phase of the same loop
 * turn (setImmediate), or at once when FLUSH_BYTES are waiting, so a burst
 * reaches the kernel in pieces a fast client can drain and the outgoing budget
 * (corked bytes are part of `ws.bufferedAmount`) only counts what the client
 * really left unread.
 */
class WsTransport implements Transport {
  readonly ws: WebSocket
  readonly logger: Logger
  socket: PhoenixSocket | null = null
  readonly #closeGraceMs: number
  #corked = false
  #graceTimer: NodeJS.Timeout | undefined

  constructor(ws: WebSocket, logger: Logger, closeGraceMs: number) {
    this.ws = ws
    this.logger = logger
    this.#closeGraceMs = closeGraceMs
  }

  send(text: string): void {
    const ws = this.ws
    if (ws.readyState !== ws.OPEN) return
    const tcp = this.#cork()
    ws.send(text)
    if (tcp && tcp.writableLength >= FLUSH_BYTES) this.flush()
  }

  close(code: number, reason: string): void {
    const ws = this.ws
    this.flush()
    closeWs(ws, code, reason)
    if (code === CloseCode.slowConsumer && ws.bufferedAmount > 0) {
      // The close frame sits behind data the client is not reading, so it
      // would never arrive; holding that data through a grace period is
      // exactly the memory the budget exists to bound.
      ws.terminate()
      return
    }
    this.#graceTimer = setTimeout(terminateWs, this.#closeGraceMs, ws)
    this.#graceTimer.unref()
  }

  bufferedAmount(): number {
    return this.ws.bufferedAmount
  }

  flush(): void {
    if (!this.#corked) return
    this.#corked = false
    tcpOf(this.ws)?.uncork()
  }

  closed(): void {
    clearTimeout(this.#graceTimer)
    this.socket?.handleClose()
  }

  #cork(): CorkableSocket | undefined {
    const tcp = tcpOf(this.ws)
    if (this.#corked || !tcp) return tcp
    this.#corked = true
    tcp.cork()
    setImmediate(flushTransport, this)
    return tcp
  }
}

function tcpOf(ws: WebSocket): CorkableSocket | undefined {
  return (ws as unknown as { _socket?: CorkableSocket })._socket
}

function flushTransport(transport: WsTransport): void {
  transport.flush()
}

function terminateWs(ws: WebSocket): void {
  ws.terminate()
}

function onMessage(this: TaggedWs, data: RawData, isBinary: boolean): void {
  const socket = this[TRANSPORT]?.socket
  if (!socket) return
  if (isBinary) socket.handleBinary(toBuffer(data))
  else socket.handleText(toBuffer(data).toString('utf8'))
}

function onClose(this: TaggedWs): void {
  this[TRANSPORT]?.closed()
}

// ws reports a frame it refuses (larger than maxPayload, bad UTF-8, bad
// opcode) as an error after it has already sent the close frame with the
// matching code (1009, 1007, 1002) and half-closed the connection. Fastify's
// default handler would then log an error with a stack and destroy the TCP
// socket while the client is still sending the rest of that frame; the
// client gets a reset and reports 1006 instead of the code. So this socket
// takes the errors over: ws finishes the handshake on its own (its close
// timer bounds a client that never answers), and the client's fault is a
// warning, not a server error.
function onError(this: TaggedWs, err: Error & { code?: unknown }): void {
  const transport = this[TRANSPORT]
  if (!transport) return
  const refused = typeof err.code === 'string' && err.code.startsWith('WS_ERR_')
  transport.logger.warn({ code: err.code, reason: err.message }, refused ? 'websocket frame refused: closing' : 'websocket transport error')
  transport.socket?.handleClose()
}

/**
 * Wires a `ws` WebSocket (what @fastify/websocket hands a route) to a
 * PhoenixSocket. An unsupported vsn closes the socket with 4002 and returns
 * null; to refuse it before the upgrade instead, call parseConnectUrl in a
 * preValidation hook and answer 400.
 */
export function attachPhoenixSocket(ws: WebSocket, opts: AttachOptions): PhoenixSocket | null {
  const logger = opts.logger ?? silentLogger
  let connect: ConnectInfo
  try {
    connect = parseConnectUrl(opts.url)
  } catch (err) {
    if (!isProtocolError(err)) throw err
    logger.warn({ code: err.code, url: opts.url }, err.message)
    closeWs(ws, CloseCode.unsupportedVsn, err.message)
    return null
  }

  const transport = new WsTransport(ws, logger, opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS)
  const socket = new PhoenixSocket({
    transport,
    serializer: connect.serializer,
    channels: opts.channels,
    params: connect.params,
    limits: opts.limits,
    logger,
  })
  transport.socket = socket
  ;(ws as TaggedWs)[TRANSPORT] = transport
  ws.on('message', onMessage)
  ws.on('close', onClose)
  ws.removeAllListeners('error')
  ws.on('error', onError)
  return socket
}

/** The PhoenixSocket attached to this WebSocket, if any. */
export function phoenixSocketOf(ws: WebSocket): PhoenixSocket | null {
  return (ws as TaggedWs)[TRANSPORT]?.socket ?? null
}

function closeWs(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, truncateUtf8(reason, MAX_CLOSE_REASON_BYTES))
  } catch {
    // Already closing or never opened: terminate is the only thing left to do.
    ws.terminate()
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

function truncateUtf8(text: string, maxBytes: number): string {
  let out = text
  // Whole code points only, so the reason stays valid UTF-8.
  while (Buffer.byteLength(out, 'utf8') > maxBytes) out = Array.from(out).slice(0, -1).join('')
  return out
}
