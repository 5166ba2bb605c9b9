import { connect } from 'node:net'
import t from 'tap'
import { echoSwarm, fuzzServer, NASTY_NAMES, Rng } from './helpers/fuzz.js'

// Seeded random requests across every route of the real route table (read
// from the server's own OpenAPI document): random methods, path parameters,
// query values, bodies and hostile headers, plus raw malformed HTTP. No answer
// may be a 5xx, no error may be logged, and a well-behaved client is served
// throughout. A failure prints the seed; the same seed replays the same run.

const SEED = 0x0f0e_2026
const REQUESTS = 6_000
const CONCURRENCY = 8
const PROBE_EVERY = 500
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'get']
// Never `probe`: that swarm belongs to the well-behaved client.
const PARAMS = ['fuzz', 'fuzz', 'a', 'b', 'ghost', '', '..', '%2e%2e', '%00', 'x'.repeat(3000), ...NASTY_NAMES, 'ü', '%F0%9F%92%A5', 'a%2Fb', '%ZZ']
const QUERY_VALUES = ['1e308', '-1', 'NaN', '', '0', '1', '9'.repeat(400), 'true', 'false', 'yaml', 'json', 'x'.repeat(10_000), '-1e308', '0x10', ' 5', '5.5', 'Infinity', '%00', '[]', '{}']
const QUERY_KEYS = ['minutes', 'limit', 'level', 'category', 'event_type', 'agent', 'all', 'purge', 'delete', 'format', 'since', 'offset', 'token', ...NASTY_NAMES]

interface Route {
  method: string
  template: string
  query: string[]
}

interface Result {
  status: number
  route: string
  line: string
}

function body(rng: Rng, method: string): { data: Buffer | null; type: string | null } {
  if ((method === 'GET' || method === 'HEAD') && rng.chance(0.7)) return { data: null, type: null }
  switch (rng.int(12)) {
    case 0: return { data: null, type: null }
    case 1: return { data: null, type: 'application/json' }
    case 2: return { data: Buffer.from(rng.text(100)), type: rng.pick(['text/plain', 'application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-32']) }
    case 3: return { data: rng.bytes(rng.int(200)), type: rng.pick(['application/octet-stream', 'application/json', null]) }
    case 4: return { data: Buffer.from(`${'['.repeat(3000)}${']'.repeat(3000)}`), type: 'application/json' }
    case 5: return { data: Buffer.from(JSON.stringify({ name: rng.pick(['fuzz', 'fuzz2', rng.text(10)]), agents: [{ name: 'a', backend: 'mock' }], topology: [] })), type: 'application/json' }
    case 6: return { data: Buffer.from(JSON.stringify({ config_path: rng.pick(['missing.yaml', '.', '..', 'x'.repeat(5000), rng.text(20), '/nonexistent/x.yaml']) })), type: 'application/json' }
    case 7: return { data: Buffer.from(JSON.stringify({ task: rng.json(1), from: rng.json(0), to: rng.pick(['a', 'b', rng.text(5)]), content: rng.json(0), count: rng.number(), add: rng.json(2), remove: rng.json(2) })), type: 'application/json' }
    case 8: return { data: Buffer.from('{"a":1,"a":2,"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'), type: 'application/json' }
    default: return { data: Buffer.from(JSON.stringify(rng.json(4))), type: 'application/json' }
  }
}

function headers(rng: Rng, type: string | null): Record<string, string> {
  const h: Record<string, string> = {}
  if (type) h['content-type'] = type
  // Some requests are polite apart from their values, so the handlers behind the checks get fuzzed too.
  for (let i = rng.chance(0.4) ? 0 : rng.int(4); i > 0; i--) {
    switch (rng.int(9)) {
      case 0: h.host = rng.pick(['attacker.example', 'localhost', '127.0.0.1:1', '[::1]', '', 'x'.repeat(300), 'localhost.attacker.example']); break
      case 1: h.origin = rng.pick(['https://evil.example', 'null', 'http://localhost:4000', 'file://', rng.text(10).replace(/[^\x21-\x7e]/g, '')]); break
      case 2: h.authorization = rng.pick(['Bearer ', 'Bearer x', 'Basic Og==', 'x'.repeat(2000)]); break
      case 3: h.accept = rng.pick(['*/*', 'text/html', 'application/yaml', '', 'application/json;q=0']); break
      case 4: h['x-forwarded-for'] = rng.pick(['1.2.3.4', 'garbage', '::ffff:1.1.1.1, x']); break
      case 5: h['x-long'] = 'y'.repeat(rng.pick([100, 8000, 20_000])); break
      case 6: h['access-control-request-method'] = rng.pick(['POST', 'DELETE', 'FOO', '']); break
      case 7: h['accept-encoding'] = rng.pick(['gzip', 'br', 'identity;q=0', 'x']); break
      default: h['content-length'] = String(rng.pick([0, 1, 10])) // lies about the body, when there is one
    }
  }
  return h
}

function path(rng: Rng, route: Route): string {
  let p = route.template.replace(/\{[^}]+\}/g, () => encodeURI(rng.pick(PARAMS)).replace(/%25/g, '%'))
  if (rng.chance(0.05)) p += rng.pick(['/', '/extra', '//', '?', '#frag', '/..'])
  const query: string[] = []
  for (let i = rng.int(3); i > 0; i--) {
    const key = rng.chance(0.85) && route.query.length ? rng.pick(route.query) : rng.pick(QUERY_KEYS)
    const value = rng.chance(0.5) ? String(rng.number()) : rng.pick(QUERY_VALUES)
    query.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
  }
  return query.length ? `${p}?${query.join('&')}` : p
}

/**
 * One request on its own connection, written byte for byte: no client library
 * cleans up the hostile parts, and a lying Content-Length cannot poison a
 * connection another request would reuse. Resolves with every status line the
 * server wrote (more than one is a bug too).
 */
function send(port: number, method: string, url: string, h: Record<string, string>, data: Buffer | null): Promise<number[]> {
  const lines = [`${method} ${url} HTTP/1.1`]
  if (!('host' in h)) lines.push(`host: 127.0.0.1:${port}`)
  for (const [name, value] of Object.entries(h)) lines.push(`${name}: ${value}`)
  if (data && !('content-length' in h)) lines.push(`content-length: ${data.length}`)
  lines.push('connection: close', '', '')
  // A Content-Length beyond the bytes sent is a request that never finishes; the slow-body
  // case has its own test. Here the client ends its side at once, and an answer is optional.
  const unfinished = Number(h['content-length'] ?? 0) > (data?.length ?? 0)
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.setTimeout(20_000, () => socket.destroy(new Error('no answer within 20 s')))
    socket.on('data', (d) => chunks.push(d))
    // A server may reset a connection it refused before reading all we sent; what it answered still counts.
    socket.on('error', (err) => (chunks.length || unfinished ? undefined : reject(err)))
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1')
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]))
      if (statuses.length || unfinished) resolve(statuses)
      else reject(new Error('connection closed without an answer'))
    })
    const bytes = Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), data ?? Buffer.alloc(0)])
    if (unfinished) socket.end(bytes)
    else socket.write(bytes)
  })
}

/** Bytes no HTTP client library would send; the answer's status line, or how the connection ended. */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let got = ''
    socket.setTimeout(20_000, () => socket.destroy())
    socket.on('data', (d) => {
      got += d.toString('latin1')
      if (got.includes('\r\n\r\n')) socket.end()
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(got.split('\r\n')[0] || 'closed without an answer'))
    socket.end(bytes)
  })
}

t.test(`REST fuzz, seed ${SEED}: ${REQUESTS} requests over every route; no 5xx, no error log`, async (t) => {
  t.setTimeout(120_000)
  const { server, logs, probe, probeCount } = await fuzzServer(t)
  const doc = (await (await fetch(`${server.http}/documentation/json`)).json()) as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>
  }
  const routes: Route[] = [
    ...Object.entries(doc.paths).flatMap(([template, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), template, query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name) })),
    ),
    // Served, though not documented.
    { method: 'GET', template: '/documentation/json', query: [] },
    { method: 'GET', template: '/swarm/websocket', query: ['vsn', 'token'] },
    { method: 'GET', template: '/api/nope', query: [] },
  ]
  t.ok(routes.length >= 25, `${routes.length} routes from the server's own OpenAPI document`)

  const rng = new Rng(SEED)
  const results: Result[] = []
  const failures: string[] = []
  const hits = new Map<string, number>()
  // Each request is drawn before its first await, so the seed fixes every request whatever the timing.
  const one = async (n: number) => {
    const route = rng.pick(routes)
    const method = rng.chance(0.75) ? route.method : rng.pick(METHODS)
    const url = path(rng, route)
    const { data, type } = body(rng, method)
    const h = headers(rng, type)
    const key = `${route.method} ${route.template}`
    hits.set(key, (hits.get(key) ?? 0) + 1)
    const line = `${method} ${url.slice(0, 120)} [${Object.keys(h).join(',')}] ${data ? `${data.length} bytes ${type}` : 'no body'}`
    try {
      const statuses = await send(server.port, method, url, h, data)
      if (!statuses.length) return
      results.push({ status: Math.max(...statuses), route: key, line })
      if (statuses.length > 1) failures.push(`#${n} ${line}: ${statuses.length} answers (${statuses.join(', ')})`)
    } catch (err) {
      failures.push(`#${n} ${line}: ${(err as Error).message}`)
    }
  }
  let next = 0
  for (let done = 0; done < REQUESTS; done += PROBE_EVERY) {
    const end = Math.min(REQUESTS, done + PROBE_EVERY)
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < end) await one(next++)
    }))
    await probe()
    // The fuzz may have deleted its own swarm; bring it back so the swarm routes keep meeting one.
    if (!server.app.swarmManager.has('fuzz')) await server.app.swarmManager.start(echoSwarm('fuzz')).catch(() => {})
  }

  const rawAnswers: string[] = []
  for (const bytes of [
    'GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
    'POST /api/swarms HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    'GET /api/swarms HTTP/1.1\r\nHost: localhost\r\nX: \u0000\r\n\r\n',
    `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
    'GET /api/swarms HTTP/9.9\r\nHost: localhost\r\n\r\n',
    'BREW /api/swarms HTTP/1.1\r\nHost: localhost\r\n\r\n',
    'GET /api/events?minutes=1 HTTP/1.1\r\n\r\n',
    '\r\n\r\n\r\n',
    Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00]),
  ]) rawAnswers.push(await raw(server.port, bytes))
  await probe()

  const fivexx = results.filter((r) => r.status >= 500)
  const byStatus = new Map<number, number>()
  for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1)
  t.comment(`statuses: ${[...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`)
  t.ok(results.length >= REQUESTS * 0.9, `${results.length} requests answered`)
  t.same(failures.slice(0, 10), [], `every request got an answer (${failures.length} did not)`)
  for (const route of routes) t.ok((hits.get(`${route.method} ${route.template}`) ?? 0) >= 20, `${route.method} ${route.template} was hit`)
  t.same([...new Set(fivexx.map((r) => `${r.status} ${r.line}`))].slice(0, 10), [], `no 5xx (${fivexx.length} in all)`)
  t.notOk(rawAnswers.some((a) => /^HTTP\/1\.[01] 5/.test(a)), `raw malformed requests got no 5xx: ${rawAnswers.join(' | ')}`)
  t.ok(probeCount() >= REQUESTS / PROBE_EVERY, `the well-behaved client was answered ${probeCount()} times during the fuzz`)
  const kinds = [...new Set(logs.errors().map((l) => `${l.msg}: ${(l.err as { message?: string } | undefined)?.message ?? ''}`))]
  t.same(kinds, [], `no error-level log line (${logs.errors().length} in all)`)
})
