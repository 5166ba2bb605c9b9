import { WebSocket } from 'ws'
import type { Socket as NetSocket } from 'node:net'

/** A frame as received, whatever the serializer (V1 frames have joinRef null). */
export interface Frame {
  joinRef: string | null
  ref: string | null
  topic: string
  event: string
  payload: any
}

export interface CloseInfo {
  code: number
  reason: string
}

interface Waiter {
  match: (f: Frame) => boolean
  resolve: (f: Frame) => void
}

/**
 * A bare Phoenix-protocol client over `ws`: it sends exactly the frames a
 * test asks for and records every frame it receives, so tests can assert on
 * the wire itself (refs, join_refs, order).
 */
export class RawPhoenixClient {
  readonly received: Frame[] = []
  readonly closed: Promise<CloseInfo>
  private readonly waiters = new Set<Waiter>()
  private refCounter = 0

  private constructor(
    readonly ws: WebSocket,
    readonly vsn: string | null,
  ) {
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
    ws.on('message', (data, isBinary) => {
      if (isBinary) return
      const frame = this.decode(data.toString())
      this.received.push(frame)
      for (const w of this.waiters) {
        if (w.match(frame)) {
          this.waiters.delete(w)
          w.resolve(frame)
        }
      }
    })
  }

  /** `base` is `ws://host:port/swarm`; vsn null sends no vsn (V1). */
  static connect(base: string, vsn: string | null = '2.0.0', params: Record<string, string> = {}): Promise<RawPhoenixClient> {
    const query = new URLSearchParams(params)
    if (vsn !== null) query.set('vsn', vsn)
    const ws = new WebSocket(`${base}/websocket?${query}`)
    const client = new RawPhoenixClient(ws, vsn)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client))
      ws.once('error', reject)
    })
  }

  get isV2(): boolean {
    return this.vsn !== null && this.vsn.startsWith('2.')
  }

  nextRef(): string {
    this.refCounter += 1
    return String(this.refCounter)
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data)
  }

  send(joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown): void {
    this.sendRaw(this.isV2 ? JSON.stringify([joinRef, ref, topic, event, payload]) : JSON.stringify({ topic, event, payload, ref }))
  }

  /** Sends a message and resolves with its phx_reply. */
  call(topic: string, event: string, payload: unknown = {}, joinRef: string | null = null): Promise<Frame> {
    const ref = this.nextRef()
    const reply = this.waitFor((f) => f.event === 'phx_reply' && f.ref === ref && f.topic === topic, `reply to ${event} ref ${ref}`)
    this.send(joinRef, ref, topic, event, payload)
    return reply
  }

  /** Joins with join_ref = ref (as the official client does) and resolves with the join reply. */
  async join(topic: string, payload: unknown = {}): Promise<{ joinRef: string; reply: Frame }> {
    const ref = this.nextRef()
    const reply = this.waitFor((f) => f.event === 'phx_reply' && f.ref === ref && f.topic === topic, `join reply for ${topic}`)
    this.send(ref, ref, topic, 'phx_join', payload)
    return { joinRef: ref, reply: await reply }
  }

  /** A heartbeat round trip: every frame the server sent before its reply has arrived by then. */
  async sync(): Promise<void> {
    await this.call('phoenix', 'heartbeat', {})
  }

  /** Resolves with the first frame (already received or still to come) that matches. */
  waitFor(match: (f: Frame) => boolean, label = 'frame', timeoutMs = 5000): Promise<Frame> {
    const seen = this.received.find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter)
        reject(new Error(`timed out waiting for ${label}`))
      }, timeoutMs)
      const waiter: Waiter = {
        match,
        resolve: (f) => {
          clearTimeout(timer)
          resolve(f)
        },
      }
      this.waiters.add(waiter)
    })
  }

  /** Stop reading from the TCP socket: the server's writes pile up as if this client hung. */
  pauseReading(): void {
    this.netSocket().pause()
  }

  resumeReading(): void {
    this.netSocket().resume()
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate()
  }

  private netSocket(): NetSocket {
    return (this.ws as unknown as { _socket: NetSocket })._socket
  }

  private decode(text: string): Frame {
    const parsed = JSON.parse(text)
    if (Array.isArray(parsed)) {
      const [joinRef, ref, topic, event, payload] = parsed
      return { joinRef, ref, topic, event, payload }
    }
    return { joinRef: null, ref: parsed.ref, topic: parsed.topic, event: parsed.event, payload: parsed.payload }
  }
}
