import { connect, type Socket } from 'node:net'

export interface RawResponse {
  status: number
  headers: Record<string, string>
  /** parsed JSON when the body is JSON, else the text */
  body: any
  text: string
}

export interface RawRequest {
  method?: string
  path?: string
  /** header name → value; `host` is not added for you, so a request can lack one */
  headers?: Record<string, string | number>
  body?: string | Buffer
}

/**
 * One HTTP/1.1 request over a fresh TCP connection, written byte for byte as
 * given, so a test controls Host, Origin and Content-Type exactly; resolves
 * with the response once the server has answered and the connection closed.
 */
export function rawRequest(port: number, req: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const { method = 'GET', path = '/', headers = {}, body } = req
  const all: Record<string, string | number> = { connection: 'close', ...headers }
  if (body !== undefined && !Object.keys(all).some((k) => k.toLowerCase() === 'content-length')) all['content-length'] = Buffer.byteLength(body)
  const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no complete answer to ${method} ${path} within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.on('data', (c) => chunks.push(c))
    socket.on('error', () => {}) // a reset after the answer still leaves the answer to parse
    socket.on('close', () => {
      clearTimeout(timer)
      try {
        resolve(parseResponse(Buffer.concat(chunks).toString('utf8')))
      } catch (err) {
        reject(err)
      }
    })
    socket.write(head)
    if (body !== undefined) socket.write(body)
  })
}

export function parseResponse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n')
  if (split === -1) throw new Error(`not an HTTP response: ${JSON.stringify(raw.slice(0, 200))}`)
  const [statusLine, ...headerLines] = raw.slice(0, split).split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1])
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let text = raw.slice(split + 4)
  if (headers['transfer-encoding'] === 'chunked') text = dechunk(text)
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  return { status, headers, body, text }
}

function dechunk(text: string): string {
  let out = ''
  let rest = text
  for (;;) {
    const eol = rest.indexOf('\r\n')
    if (eol === -1) return out
    const size = parseInt(rest.slice(0, eol), 16)
    if (!size) return out
    out += rest.slice(eol + 2, eol + 2 + size)
    rest = rest.slice(eol + 2 + size + 2)
  }
}

/** Opens a connection and writes `data`, leaving it open; resolves once connected. */
export function openPartial(port: number, data: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(data)
      resolve(socket)
    })
    socket.once('error', reject)
  })
}
