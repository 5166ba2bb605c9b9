import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { rawRequest, type RawRequest } from './helpers/http-raw.js'
import { startServer } from './helpers/server.js'

const TOKEN = 'trust-token'
const EVIL = 'https://evil.example'

async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json()
}

function json(value: unknown): Pick<RawRequest, 'headers' | 'body'> {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) }
}

/** A raw WebSocket upgrade: the status the server answered (101 when it opened); the connection is dropped once the head arrives. */
function upgradeStatus(port: number, headers: Record<string, string>, path = '/swarm/websocket?vsn=2.0.0'): Promise<number> {
  const all = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13', ...headers }
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let head = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error('no answer to the upgrade'))
    }, 15_000)
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      clearTimeout(timer)
      socket.destroy()
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]))
    })
    socket.on('error', () => {})
    socket.write(`GET ${path} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`)
  })
}

t.test('without a token only loopback Host names are served, REST and socket alike', async (t) => {
  const { port, http } = await startServer(t)
  for (const host of ['localhost', `localhost:${port}`, `127.0.0.1:${port}`, '[::1]:80', '[::1]', 'LOCALHOST:9']) {
    t.equal((await rawRequest(port, { path: '/api/swarms', headers: { host } })).status, 200, `Host ${host} served`)
  }
  for (const host of ['attacker.example', `attacker.example:${port}`, '127.0.0.2', 'localhost.evil.example', '[::2]:80']) {
    const res = await rawRequest(port, { path: '/api/swarms', headers: { host } })
    t.equal(res.status, 403, `Host ${host} refused`)
    t.equal(res.body.code, 'GS_HOST_NOT_ALLOWED')
    t.type(res.body.error, 'string')
  }
  const none = await rawRequest(port, { path: '/api/swarms' })
  t.equal(none.status, 403, 'a request without Host is refused')
  t.equal(none.body.code, 'GS_HOST_NOT_ALLOWED')

  t.equal(await upgradeStatus(port, { host: 'attacker.example' }), 403, 'a socket upgrade for a foreign Host is refused')
  t.equal(await upgradeStatus(port, { host: `127.0.0.1:${port}` }), 101, 'and opens for a loopback one')
  const preflight = await rawRequest(port, { method: 'OPTIONS', path: '/api/swarms', headers: { host: 'attacker.example', origin: EVIL, 'access-control-request-method': 'POST' } })
  t.equal(preflight.status, 403, 'a preflight for a foreign Host gets nothing either')

  const created = await fetch(`${http}/api/swarms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config: swarmConfig('rebound', [mockAgent('a')]) }) })
  t.equal(created.status, 201, 'ordinary local clients are unaffected')
  const rebound = await rawRequest(port, { method: 'DELETE', path: '/api/swarms/rebound', headers: { host: 'attacker.example' } })
  t.equal(rebound.status, 403)
  t.equal((await getJson(`${http}/api/swarms/rebound`)).status, 'running', 'a refused request changes nothing')
})

t.test('GENSWARMS_ALLOWED_HOSTS and the allowedHosts option add names; a token lifts the Host rule', async (t) => {
  const previous = process.env.GENSWARMS_ALLOWED_HOSTS
  process.env.GENSWARMS_ALLOWED_HOSTS = ' box.lan , api.example:8443'
  t.teardown(() => {
    if (previous === undefined) delete process.env.GENSWARMS_ALLOWED_HOSTS
    else process.env.GENSWARMS_ALLOWED_HOSTS = previous
  })
  const fromEnv = await startServer(t)
  const status = async (port: number, host: string, extra: Record<string, string> = {}) => (await rawRequest(port, { path: '/api/swarms', headers: { host, ...extra } })).status
  t.equal(await status(fromEnv.port, 'box.lan:4000'), 200, 'a named host on any port')
  t.equal(await status(fromEnv.port, 'api.example:8443'), 200, 'host:port on that port')
  t.equal(await status(fromEnv.port, 'api.example:80'), 403, 'but not on another')
  t.equal(await status(fromEnv.port, 'other.lan'), 403)

  const fromOption = await startServer(t, { allowedHosts: ['dash.internal'] })
  t.equal(await status(fromOption.port, 'dash.internal'), 200, 'the option replaces the env list')
  t.equal(await status(fromOption.port, 'box.lan'), 403)

  const withToken = await startServer(t, { apiToken: TOKEN })
  t.equal(await status(withToken.port, 'genswarms.example.com', { authorization: `Bearer ${TOKEN}` }), 200, 'with a token any Host is served')
  t.equal(await status(withToken.port, 'genswarms.example.com'), 401, 'to those who have it')
})

t.test('a cross-site page cannot start a local agent', async (t) => {
  const { port, dir, http } = await startServer(t)
  const marker = join(dir, 'pwned')
  const config = swarmConfig('drive-by', [
    { name: 'a', backend: { type: 'local', command: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`] }, skills: [], config: {} },
  ])
  for (const origin of [EVIL, 'null', `http://127.0.0.1:${port + 1}`, `http://localhost:${port}`]) {
    const res = await rawRequest(port, { method: 'POST', path: '/api/swarms', ...json({ config }), headers: { host: `127.0.0.1:${port}`, origin, 'content-type': 'application/json' } })
    t.equal(res.status, 403, `Origin ${origin} refused`)
    t.equal(res.body.code, 'GS_ORIGIN_NOT_ALLOWED')
  }
  t.same((await getJson(`${http}/api/swarms`)).swarms, [], 'no swarm was started')
  t.notOk(existsSync(marker), 'and nothing ran')
})

t.test('simple cross-site POSTs (no body, text/plain, forms) change nothing', async (t) => {
  const { port, http } = await startServer(t)
  const created = await fetch(`${http}/api/swarms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config: swarmConfig('victim', [mockAgent('a')]) }) })
  t.equal(created.status, 201)
  const host = `127.0.0.1:${port}`
  const targets = ['/api/swarms/victim/agents/a/restart', '/api/swarms/clean?all=true', '/api/swarms/victim/snapshot', '/api/swarms/victim/restart']
  for (const path of targets) {
    const bare = await rawRequest(port, { method: 'POST', path, headers: { host, origin: EVIL } })
    t.equal(bare.status, 403, `POST ${path} without a body from a foreign origin`)
    t.equal(bare.body.code, 'GS_ORIGIN_NOT_ALLOWED')
    const text = await rawRequest(port, { method: 'POST', path, headers: { host, origin: EVIL, 'content-type': 'text/plain' }, body: '{}' })
    t.equal(text.status, 403, `POST ${path} as text/plain from a foreign origin`)
  }
  // Content types a page can send without a preflight are refused even without an Origin (e.g. a navigated form).
  for (const [type, body] of [['text/plain', '{"task":"x"}'], ['application/x-www-form-urlencoded', 'task=x'], ['multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="task"\r\n\r\nx\r\n--b--\r\n'], ['application/jsonx', '{}']] as const) {
    const res = await rawRequest(port, { method: 'POST', path: '/api/swarms/victim/agents/a/task', headers: { host, 'content-type': type }, body })
    t.equal(res.status, 415, `${type} refused`)
    t.equal(res.body.code, 'GS_UNSUPPORTED_MEDIA_TYPE')
  }
  const untyped = await rawRequest(port, { method: 'POST', path: '/api/swarms/victim/agents/a/task', headers: { host }, body: '{"task":"x"}' })
  t.equal(untyped.status, 415, 'a body without a Content-Type is refused')
  const typedEmpty = await rawRequest(port, { method: 'POST', path: '/api/swarms/victim/snapshot', headers: { host, 'content-type': 'text/plain' } })
  t.equal(typedEmpty.status, 415, 'an empty body counts as JSON only without a Content-Type')

  const status = await getJson(`${http}/api/swarms/victim`)
  t.equal(status.status, 'running', 'the swarm was neither restarted away nor cleaned')
  t.equal((await getJson(`${http}/api/swarms/victim/agents/a/history`)).count, 0, 'no task reached the agent')

  const own = await rawRequest(port, { method: 'POST', path: '/api/swarms/victim/snapshot', headers: { host, origin: `http://${host}` } })
  t.equal(own.status, 200, 'a page this server served (same origin) may call it')
  const charset = await rawRequest(port, { method: 'POST', path: '/api/swarms/victim/agents/a/task', headers: { host, 'content-type': 'application/json; charset=utf-8', origin: 'http://localhost:5173' }, body: '{"task":"hi"}' })
  t.equal(charset.status, 200, 'JSON from an allowlisted origin is served')
  const bodiless = await rawRequest(port, { method: 'POST', path: '/api/swarms/victim/snapshot', headers: { host } })
  t.equal(bodiless.status, 200, 'a POST without body and without Content-Type still works')
})

t.test('the Origin rule holds with a token too, and on the socket upgrade', async (t) => {
  const { port } = await startServer(t, { apiToken: TOKEN })
  const auth = { authorization: `Bearer ${TOKEN}`, host: 'genswarms.example.com' }
  const refused = await rawRequest(port, { method: 'POST', path: '/api/swarms/clean', headers: { ...auth, origin: EVIL } })
  t.equal(refused.status, 403)
  t.equal(refused.body.code, 'GS_ORIGIN_NOT_ALLOWED')
  t.equal((await rawRequest(port, { path: '/api/swarms', headers: { ...auth, origin: EVIL } })).status, 200, 'reads are not refused for their Origin')
  t.equal((await rawRequest(port, { method: 'POST', path: '/api/swarms/clean', headers: { ...auth, origin: 'https://genswarms.example.com' } })).status, 200, 'own origin')
  t.equal(await upgradeStatus(port, { ...auth, origin: EVIL }), 403, 'socket from a foreign origin')
  t.equal(await upgradeStatus(port, { ...auth, origin: 'http://genswarms.example.com' }), 101, 'socket from its own origin')
})

t.test('up --port 4101: a page served by this server on its own port may use it', async (t) => {
  const { port } = await startServer(t)
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
    t.equal(await upgradeStatus(port, { host, origin: `http://${host}` }), 101, `socket from http://${host}`)
    t.equal((await rawRequest(port, { method: 'POST', path: '/api/swarms/clean', headers: { host, origin: `http://${host}` } })).status, 200)
  }
})

t.test('every refusal is JSON {error, code}', async (t) => {
  const { port } = await startServer(t, { bodyLimit: 4096 })
  const host = `127.0.0.1:${port}`
  const cases: { name: string; req: RawRequest; status: number; code: string }[] = [
    { name: 'unknown route', req: { path: '/nope' }, status: 404, code: 'GS_ROUTE_NOT_FOUND' },
    { name: 'unknown route under /api', req: { path: '/api/nope?x=1' }, status: 404, code: 'GS_ROUTE_NOT_FOUND' },
    { name: 'unknown method on a known path', req: { method: 'PUT', path: '/api/swarms' }, status: 405, code: 'GS_METHOD_NOT_ALLOWED' },
    { name: 'malformed preflight', req: { method: 'OPTIONS', path: '/api/swarms' }, status: 400, code: 'GS_BAD_REQUEST' },
    { name: 'body too large', req: { method: 'POST', path: '/api/config/validate', ...json({ config: { name: 'x'.repeat(8000) } }) }, status: 413, code: 'GS_BODY_TOO_LARGE' },
    { name: 'wrong media type', req: { method: 'POST', path: '/api/config/validate', headers: { 'content-type': 'application/xml' }, body: '<x/>' }, status: 415, code: 'GS_UNSUPPORTED_MEDIA_TYPE' },
    { name: 'headers too large', req: { path: '/api/swarms', headers: { 'x-filler': 'a'.repeat(20_000) } }, status: 431, code: 'GS_HEADERS_TOO_LARGE' },
    { name: 'bad JSON', req: { method: 'POST', path: '/api/config/validate', headers: { 'content-type': 'application/json' }, body: '{"config":' }, status: 400, code: 'GS_INVALID_JSON' },
  ]
  for (const c of cases) {
    const res = await rawRequest(port, { ...c.req, headers: { host, ...c.req.headers } })
    t.equal(res.status, c.status, `${c.name}: status`)
    t.match(res.headers['content-type'], /^application\/json/, `${c.name}: JSON`)
    t.equal(res.body.code, c.code, `${c.name}: code`)
    t.type(res.body.error, 'string', `${c.name}: message`)
  }
  const malformed = await rawRequest(port, { method: 'GET', path: '/api/swarms', headers: { host, 'bad header': 'x' } })
  t.equal(malformed.status, 400)
  t.equal(malformed.body.code, 'GS_BAD_REQUEST', 'a request the HTTP parser refuses')
  t.match(malformed.body.error, /^malformed HTTP request/)
  t.match((await rawRequest(port, { method: 'PUT', path: '/api/swarms/x', headers: { host } })).headers.allow, /GET/, '405 names the allowed methods')
  t.equal((await rawRequest(port, { path: '/api/swarms', headers: { host } })).status, 200, 'the server keeps serving')
})

t.test('with a token, an unauthenticated request to an unknown route gets 401', async (t) => {
  const { port } = await startServer(t, { apiToken: TOKEN })
  const anon = await rawRequest(port, { path: '/api/nope', headers: { host: 'localhost' } })
  t.equal(anon.status, 401)
  t.equal(anon.body.code, 'GS_UNAUTHORIZED')
  t.equal((await rawRequest(port, { path: '/whatever', headers: { host: 'localhost' } })).status, 401)
  const known = await rawRequest(port, { path: '/api/nope', headers: { host: 'localhost', authorization: `Bearer ${TOKEN}` } })
  t.equal(known.status, 404, 'with the token it is a plain 404')
  t.equal(known.body.code, 'GS_ROUTE_NOT_FOUND')
})

t.test('under a prefix, unknown paths inside and outside it are JSON 404s', async (t) => {
  const { port } = await startServer(t, { prefix: '/gs' })
  for (const path of ['/gs/nope', '/elsewhere', '/']) {
    const res = await rawRequest(port, { path, headers: { host: 'localhost' } })
    t.equal(res.status, 404, path)
    t.equal(res.body.code, 'GS_ROUTE_NOT_FOUND', path)
  }
  t.equal((await rawRequest(port, { path: '/gs/api/swarms', headers: { host: 'localhost' } })).status, 200)
  const foreign = await rawRequest(port, { path: '/gs/nope', headers: { host: 'attacker.example' } })
  t.equal(foreign.status, 403, 'the guards cover the prefix\'s unknown paths too')
})
