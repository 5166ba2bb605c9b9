import type { AddressInfo } from 'node:net'
import { Socket } from 'phoenix'
import t, { type Test } from 'tap'
import { WebSocket } from 'ws'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { restApp, type RestApp } from './helpers/rest-app.js'
import type { GenswarmsOptions } from '../lib/options.js'

const TOKEN = 's3cret-token'

async function listening(t: Test, opts: GenswarmsOptions = {}): Promise<RestApp & { port: number }> {
  const rest = await restApp(t, opts)
  await rest.app.listen({ port: 0, host: '127.0.0.1' })
  return { ...rest, port: (rest.app.server.address() as AddressInfo).port }
}

/** Opens a raw WebSocket; resolves 'open' or the HTTP status the upgrade was refused with. */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => {
      ws.close()
      resolve('open')
    })
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      res.resume()
      ws.terminate()
    })
    ws.on('error', reject)
  })
}

t.test('no token configured: loopback peers are served, anyone else gets 403', async (t) => {
  const { call } = await restApp(t)
  for (const remoteAddress of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
    t.equal((await call('GET', '/api/swarms', undefined, { remoteAddress })).status, 200, `${remoteAddress} served`)
  }
  for (const remoteAddress of ['10.1.2.3', '192.168.1.20', '::ffff:10.0.0.1', 'fe80::1']) {
    const res = await call('GET', '/api/swarms', undefined, { remoteAddress })
    t.equal(res.status, 403, `${remoteAddress} refused`)
    t.equal(res.body.code, 'GS_FORBIDDEN')
  }
  const post = await call('POST', '/api/swarms', { config: swarmConfig('x', [mockAgent('a')]) }, { remoteAddress: '10.1.2.3' })
  t.equal(post.status, 403)
  t.equal((await call('GET', '/', undefined, { remoteAddress: '10.1.2.3' })).status, 403, 'the info document too')
  t.equal((await call('GET', '/documentation/json', undefined, { remoteAddress: '10.1.2.3' })).status, 403, 'and the OpenAPI document')
})

t.test('token configured: 401 without it or with a wrong one, 200 with it, from anywhere', async (t) => {
  const { app, call } = await restApp(t, { apiToken: TOKEN })
  const none = await call('GET', '/api/swarms')
  t.equal(none.status, 401)
  t.same(none.body, { error: 'an API token is required (Authorization: Bearer <token>)', code: 'GS_UNAUTHORIZED' })
  t.match(none.res.headers['www-authenticate'], /^Bearer/)
  for (const authorization of [`Bearer ${TOKEN}x`, 'Bearer s3cret', `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
    const res = await call('GET', '/api/swarms', undefined, { headers: { authorization } })
    t.equal(res.status, 401, `"${authorization}" refused`)
  }
  t.equal((await call('GET', `/api/swarms?token=${TOKEN}`)).status, 401, 'REST takes the token in the header only')
  const ok = { headers: { authorization: `Bearer ${TOKEN}` } }
  t.equal((await call('GET', '/api/swarms', undefined, ok)).status, 200)
  t.equal((await call('GET', '/api/swarms', undefined, { ...ok, remoteAddress: '10.1.2.3' })).status, 200, 'a remote peer with the token')
  t.equal((await call('GET', '/api/swarms', undefined, { headers: { authorization: `bearer   ${TOKEN}` } })).status, 200, 'scheme is case-insensitive')
  const created = await call('POST', '/api/swarms', { config: swarmConfig('auth', [mockAgent('a')]) }, ok)
  t.equal(created.status, 201)
  const refused = await call('DELETE', '/api/swarms/auth')
  t.equal(refused.status, 401)
  t.ok(app.swarmManager.has('auth'), 'an unauthenticated request changes nothing')
})

t.test('the token may come from GENSWARMS_API_TOKEN', async (t) => {
  const previous = process.env.GENSWARMS_API_TOKEN
  process.env.GENSWARMS_API_TOKEN = 'from-env'
  t.teardown(() => {
    if (previous === undefined) delete process.env.GENSWARMS_API_TOKEN
    else process.env.GENSWARMS_API_TOKEN = previous
  })
  const { call } = await restApp(t, { apiToken: undefined })
  t.equal((await call('GET', '/api/swarms')).status, 401)
  t.equal((await call('GET', '/api/swarms', undefined, { headers: { authorization: 'Bearer from-env' } })).status, 200)
})

t.test('token configured: the socket upgrade is refused before it opens without the right ?token=', async (t) => {
  const { port, call } = await listening(t, { apiToken: TOKEN })
  await call('POST', '/api/swarms', { config: swarmConfig('guarded', [mockAgent('a')]) }, { headers: { authorization: `Bearer ${TOKEN}` } })
  const base = `ws://127.0.0.1:${port}/swarm/websocket?vsn=2.0.0`
  t.equal(await upgrade(base), 401, 'no token')
  t.equal(await upgrade(`${base}&token=wrong`), 401, 'wrong token')
  t.equal(await upgrade(`${base}&token=${TOKEN}`), 'open', 'token in the query')
  t.equal(await upgrade(base, { authorization: `Bearer ${TOKEN}` }), 'open', 'or in the header')

  // The official client passes it as a connect param.
  const socket = new Socket(`ws://127.0.0.1:${port}/swarm`, {
    transport: WebSocket as unknown as typeof globalThis.WebSocket,
    params: { token: TOKEN },
    reconnectAfterMs: () => 60_000,
  })
  socket.connect()
  t.teardown(() => socket.disconnect())
  const joined = await new Promise((resolve) => {
    socket.channel('swarm:guarded', {}).join().receive('ok', resolve).receive('error', resolve).receive('timeout', () => resolve('timeout'))
  })
  t.same(joined, { swarm: 'guarded' })
})

t.test('the socket upgrade checks Origin against the allowlist when one is sent', async (t) => {
  const { port } = await listening(t, { corsOrigins: ['http://localhost:5173'] })
  const url = `ws://127.0.0.1:${port}/swarm/websocket?vsn=2.0.0`
  t.equal(await upgrade(url), 'open', 'no Origin (not a browser)')
  t.equal(await upgrade(url, { origin: 'http://localhost:5173' }), 'open', 'an allowed origin')
  t.equal(await upgrade(url, { origin: 'https://evil.example' }), 403, 'a foreign origin')
})

t.test('CORS: only allowlisted origins get CORS headers; preflights need no token', async (t) => {
  const { call } = await restApp(t, { apiToken: TOKEN, corsOrigins: ['http://localhost:5173', 'https://ui.example'] })
  const preflight = await call('OPTIONS', '/api/swarms/x/agents/y/task', undefined, {
    headers: { origin: 'https://ui.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  })
  t.equal(preflight.status, 204)
  t.equal(preflight.res.headers['access-control-allow-origin'], 'https://ui.example')
  t.match(String(preflight.res.headers['access-control-allow-methods']), /DELETE/)
  t.match(String(preflight.res.headers['access-control-allow-headers']), /Authorization/)

  const foreign = await call('OPTIONS', '/api/swarms', undefined, { headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } })
  t.notOk(foreign.res.headers['access-control-allow-origin'], 'no CORS grant for a foreign origin')

  const get = await call('GET', '/api/swarms', undefined, { headers: { origin: 'http://localhost:5173', authorization: `Bearer ${TOKEN}` } })
  t.equal(get.status, 200)
  t.equal(get.res.headers['access-control-allow-origin'], 'http://localhost:5173')
})

t.test('request bodies are limited in size', async (t) => {
  const { app, call } = await restApp(t, { bodyLimit: 2048 })
  const res = await call('POST', '/api/swarms', { config: { name: 'big', description: 'x'.repeat(4096), agents: [{ name: 'a', backend: 'mock' }] } })
  t.equal(res.status, 413)
  t.equal(res.body.code, 'GS_BODY_TOO_LARGE')
  t.notOk(app.swarmManager.has('big'))
  t.equal((await call('GET', '/api/swarms')).status, 200, 'the server keeps serving')
})
