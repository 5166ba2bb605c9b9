import { EventEmitter, once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'

/**
 * What a fake provider answers to one request: a streamed answer (text
 * pieces, tool calls, usage), an HTTP error, or a stream that sends its first
 * pieces and then nothing more (kept open until the client goes away).
 */
export type FakeReply =
  | { text?: string[]; tool_calls?: { id: string; name: string; arguments: Record<string, unknown> }[]; usage?: { prompt: number; completion: number } }
  | { status: number; message: string }
  | { stall: true; text?: string[] }

export interface ReceivedRequest {
  path: string
  headers: IncomingHttpHeaders
  body: any
}

/** Writes one reply in a provider's wire format. */
export type ReplyWriter = (res: ServerResponse, reply: FakeReply, body: any) => void

export interface FakeLlm {
  /** the base URL to configure as `base_url` */
  url: string
  requests: ReceivedRequest[]
  /** 'request' (ReceivedRequest) when one arrives; 'closed' when a client goes away before its response ended */
  events: EventEmitter
  /** queues replies, used in order; with none queued the answer is the text "ok" */
  reply(...replies: FakeReply[]): void
  /** queues replies only for requests whose body satisfies `match` (e.g. one agent's), before the general queue */
  replyWhen(match: (body: any) => boolean, ...replies: FakeReply[]): void
  /** answers every request whose body satisfies `match` with what `decide` makes of it (a scripted model that reads its conversation) */
  answerWhen(match: (body: any) => boolean, decide: (body: any) => FakeReply): void
  /** resolves with the n-th request (0-based), now or when it arrives */
  request(n: number, timeoutMs?: number): Promise<ReceivedRequest>
}

/** A real HTTP server on loopback that speaks one provider's streaming format. */
export async function startFakeLlm(t: Test, pathSuffix: string, write: ReplyWriter): Promise<FakeLlm> {
  const queue: FakeReply[] = []
  const rules: { match: (body: any) => boolean; replies: FakeReply[] }[] = []
  const deciders: { match: (body: any) => boolean; decide: (body: any) => FakeReply }[] = []
  const requests: ReceivedRequest[] = []
  const events = new EventEmitter()
  const open = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const body = text ? JSON.parse(text) : null
      const received: ReceivedRequest = { path: req.url ?? '', headers: req.headers, body }
      requests.push(received)
      open.add(res)
      res.on('close', () => {
        open.delete(res)
        if (!res.writableEnded) events.emit('closed', received)
      })
      events.emit('request', received)
      const rule = rules.find((r) => r.replies.length > 0 && r.match(body))
      const decider = rule ? undefined : deciders.find((d) => d.match(body))
      write(res, rule?.replies.shift() ?? decider?.decide(body) ?? queue.shift() ?? { text: ['ok'] }, body)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    for (const res of open) res.destroy()
    await new Promise((r) => server.close(r))
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${pathSuffix}`,
    requests,
    events,
    reply: (...replies) => void queue.push(...replies),
    replyWhen: (match, ...replies) => void rules.push({ match, replies }),
    answerWhen: (match, decide) => void deciders.push({ match, decide }),
    request: (n, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        if (requests[n]) return resolve(requests[n]!)
        const timer = setTimeout(() => {
          events.off('request', onRequest)
          reject(new Error(`fake server got ${requests.length} requests, waited for #${n + 1}`))
        }, timeoutMs)
        const onRequest = () => {
          if (!requests[n]) return
          clearTimeout(timer)
          events.off('request', onRequest)
          resolve(requests[n]!)
        }
        events.on('request', onRequest)
      }),
  }
}

/** Resolves when the fake sees a client close a response early; rejects after `withinMs`. */
export function closedWithin(fake: FakeLlm, withinMs: number): Promise<ReceivedRequest> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the client did not close its request within ${withinMs} ms`)), withinMs)
    fake.events.once('closed', (r: ReceivedRequest) => {
      clearTimeout(timer)
      resolve(r)
    })
  })
}

export function sseHeaders(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
  res.flushHeaders()
}

export function jsonError(res: ServerResponse, status: number, body: unknown): void {
  // retry-after-ms lets the SDKs retry a 429/5xx at once instead of backing off for seconds.
  res.writeHead(status, { 'content-type': 'application/json', 'retry-after-ms': '1' })
  res.end(JSON.stringify(body))
}

/** The system prompt of a request, in either provider's format. */
export function systemOf(body: any): string {
  if (typeof body?.system === 'string') return body.system
  const first = body?.messages?.[0]
  return first?.role === 'system' ? String(first.content) : ''
}

/** Matches the requests of one agent, named in its system prompt's preamble. */
export const forAgent = (agent: string) => (body: any) => systemOf(body).includes(`You are the agent "${agent}"`)
