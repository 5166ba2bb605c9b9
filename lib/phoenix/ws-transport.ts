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
/**
 * Frames sent to one socket in the same tick (an agent's output and its status
 * change, a reply and the pushes behind it) leave in one write instead of one
 * system call each: the TCP socket is corked on the first send of a tick and
 * uncorked once the tick's work is done. Corked bytes are part of
 * `ws.bufferedAmount`, so the outgoing budget sees them.
 */
function writeBatcher(ws: WebSocket): { open(): void; flush(): void } {
  const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket
  let corked = false
  const flush = () => {
    if (!corked || !socket) return
    corked = false
    socket.uncork()
  }
  return {
    open() {
      if (!socket || corked) return
      corked = true
      socket.cork()
      process.nextTick(flush)
    },
    flush,
  }
}

/** RFC 6455 caps a close reason at 123 bytes; ws throws beyond it. */
const MAX_CLOSE_REASON_BYTES = 123

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

  let graceTimer: NodeJS.Timeout | undefined
  const batch = writeBatcher(ws)
  const transport: Transport = {
    send(text) {
      if (ws.readyState !== ws.OPEN) return
      batch.open()
      ws.send(text)
    },
    close(code, reason) {
      batch.flush()
      closeWs(ws, code, reason)
      if (code === CloseCode.slowConsumer && ws.bufferedAmount > 0) {
        // The close frame sits behind data the client is not reading, so it
        // would never arrive; holding that data through a grace period is
        // exactly the memory the budget exists to bound.
        ws.terminate()
        return
      }
      graceTimer = setTimeout(() => ws.terminate(), opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS)
      graceTimer.unref()
    },
    bufferedAmount: () => ws.bufferedAmount,
  }

  const socket = new PhoenixSocket({
    transport,
    serializer: connect.serializer,
    channels: opts.channels,
    params: connect.params,
    limits: opts.limits,
    logger,
  })

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) socket.handleBinary(toBuffer(data))
    else socket.handleText(toBuffer(data).toString('utf8'))
  })
  ws.on('close', () => {
    clearTimeout(graceTimer)
    socket.handleClose()
  })
  // ws reports a frame it refuses (larger than maxPayload, bad UTF-8, bad
  // opcode) as an error after it has already sent the close frame with the
  // matching code (1009, 1007, 1002) and half-closed the connection. Fastify's
  // default handler would then log an error with a stack and destroy the TCP
  // socket while the client is still sending the rest of that frame; the
  // client gets a reset and reports 1006 instead of the code. So this socket
  // takes the errors over: ws finishes the handshake on its own (its close
  // timer bounds a client that never answers), and the client's fault is a
  // warning, not a server error.
  ws.removeAllListeners('error')
  ws.on('error', (err: Error & { code?: unknown }) => {
    const refused = typeof err.code === 'string' && err.code.startsWith('WS_ERR_')
    logger.warn({ code: err.code, reason: err.message }, refused ? 'websocket frame refused: closing' : 'websocket transport error')
    socket.handleClose()
  })
  return socket
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
