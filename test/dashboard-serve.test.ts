import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { WebSocket } from 'ws'
import genswarms from '../index.js'
import type { GenswarmsOptions } from '../lib/options.js'
import { ensureDashboardBuilt } from './helpers/browser.js'
import { tempDir } from './helpers/engine.js'
import { rawRequest } from './helpers/http-raw.js'

// How the plugin serves the dashboard and Swagger UI, embedded under a prefix,
// and the same-origin rule the page relies on, through a real listening app.

t.before(async () => {
  await ensureDashboardBuilt()
})

async function embedded(t: Test, opts: GenswarmsOptions = {}): Promise<{ app: FastifyInstance; port: number }> {
  const dir = tempDir(t)
  const app = Fastify({ logger: false })
  await app.register(genswarms, { dbPath: join(dir, 'swarms.db'), cwd: dir, events: { buffered: false }, apiToken: null, ...opts })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { app, port: (app.server.address() as { port: number }).port }
}

/** The HTTP status a WebSocket upgrade gets, with the Host and Origin given. */
function upgradeStatus(port: number, path: string, headers: { host: string; origin: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { host: headers.host }, origin: headers.origin })
    ws.on('upgrade', (res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      res.resume()
    })
    ws.on('error', (err) => {
      if (!/Unexpected server response|closed before/.test(err.message)) reject(err)
    })
  })
}

t.test('the page and its assets under a prefix; nothing else is readable through them', async (t) => {
  const { port } = await embedded(t, { prefix: '/ops/genswarms' })
  const host = `127.0.0.1:${port}`
  const get = (path: string) => rawRequest(port, { path, headers: { host } })

  const page = await get('/ops/genswarms/dashboard')
  t.equal(page.status, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.text, /src="dashboard\/app\.js"/, 'assets are referenced relative to the page, so any prefix works')
  t.match(page.headers['content-security-policy'], /default-src 'self'/, 'the page may load nothing from elsewhere')
  t.notMatch(page.text, /https?:\/\//, 'no CDN: the page names no other origin')

  const bundle = await get('/ops/genswarms/dashboard/app.js')
  t.equal(bundle.status, 200)
  t.match(bundle.headers['content-type'], /^text\/javascript/)
  t.ok(bundle.text.length > 100_000, 'the bundle carries phoenix and cytoscape')
  t.equal((await get('/ops/genswarms/dashboard/style.css')).status, 200)

  const slash = await get('/ops/genswarms/dashboard/')
  t.equal(slash.status, 301)
  t.equal(slash.headers.location, '../dashboard', 'a trailing slash goes back to the page, relative to any prefix')

  for (const path of ['/ops/genswarms/dashboard/nope.js', '/ops/genswarms/dashboard/..%2f..%2fpackage.json', '/ops/genswarms/dashboard/%2e%2e',
    '/ops/genswarms/dashboard/index.html%00', '/ops/genswarms/dashboard/..%5cpackage.json', '/ops/genswarms/dashboard/constructor']) {
    const res = await get(path)
    t.equal(res.status, 404, `${path} is not a file of the dashboard`)
  }
  t.equal((await get('/dashboard')).status, 404, 'nothing outside the prefix')
})

t.test('with a token, the page is public and the API behind it is not', async (t) => {
  const { port } = await embedded(t, { apiToken: 'a-token' })
  const host = `127.0.0.1:${port}`
  t.equal((await rawRequest(port, { path: '/dashboard', headers: { host } })).status, 200, 'a browser tab can open the page')
  t.equal((await rawRequest(port, { path: '/dashboard/app.js', headers: { host } })).status, 200, 'and load its bundle')
  t.equal((await rawRequest(port, { path: '/dashboard/nope', headers: { host } })).status, 404)
  t.equal((await rawRequest(port, { path: '/api/swarms', headers: { host } })).status, 401, 'the API still needs the token')
  t.equal((await rawRequest(port, { method: 'POST', path: '/dashboard', headers: { host } })).status, 401, 'public means GET only')
  t.equal((await rawRequest(port, { path: '/documentation', headers: { host } })).status, 401, 'Swagger UI maps the routes, so it keeps the token rule')
  const foreign = await rawRequest(port, { path: '/dashboard', headers: { host: 'attacker.example' } })
  t.equal(foreign.status, 200, 'with a token the Host rule is off, as for every route')
})

t.test('a clear error when the dashboard was not built, and dashboard: false turns it off', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'genswarms-no-dashboard-'))
  t.teardown(() => rmSync(empty, { recursive: true, force: true }))
  const { port } = await embedded(t, { dashboard: { dashboardDir: join(empty, 'dashboard') } })
  const res = await rawRequest(port, { path: '/dashboard', headers: { host: `127.0.0.1:${port}` } })
  t.equal(res.status, 503)
  t.equal(res.body.code, 'GS_DASHBOARD_NOT_BUILT')
  t.match(res.body.error, /npm run build/, 'it says how to build it')

  const off = await embedded(t, { dashboard: false })
  t.equal((await rawRequest(off.port, { path: '/dashboard', headers: { host: `127.0.0.1:${off.port}` } })).status, 404)
})

t.test('Swagger UI at /documentation over the OpenAPI document, under a prefix', async (t) => {
  const { port } = await embedded(t, { prefix: '/gs' })
  const base = `http://127.0.0.1:${port}/gs`
  const ui = await fetch(`${base}/documentation`)
  t.equal(ui.status, 200)
  t.match(await ui.text(), /swagger/i, 'the Swagger UI page')
  const doc = (await (await fetch(`${base}/documentation/json`)).json()) as { openapi: string; paths: Record<string, unknown> }
  t.equal(doc.openapi, '3.0.3')
  t.ok(Object.keys(doc.paths).some((p) => p.endsWith('/api/swarms')), 'the document lists the API')
  t.notOk(Object.keys(doc.paths).some((p) => p.includes('dashboard') || p.includes('documentation')), 'and not the dashboard or the UI itself')
  const init = await fetch(`${base}/documentation/static/swagger-initializer.js`)
  t.equal(init.status, 200, 'its assets are served by the plugin, not a CDN')
})

t.test('the page\'s own origin passes under a prefix on any port; a foreign one and a rebound Host do not', async (t) => {
  const { port } = await embedded(t, { prefix: '/ops' })
  const own = `127.0.0.1:${port}`
  const socketPath = '/ops/swarm/websocket?vsn=2.0.0'
  const post = (headers: Record<string, string>) => rawRequest(port, { method: 'POST', path: '/ops/api/swarms/clean', headers })

  t.equal(await upgradeStatus(port, socketPath, { host: own, origin: `http://${own}` }), 101, 'socket from the page\'s own origin')
  t.equal((await post({ host: own, origin: `http://${own}` })).status, 200, 'POST from the page\'s own origin')
  t.equal(await upgradeStatus(port, socketPath, { host: own, origin: 'http://evil.example' }), 403, 'socket from a foreign origin')
  const foreign = await post({ host: own, origin: 'http://evil.example' })
  t.equal(foreign.status, 403)
  t.equal(foreign.body.code, 'GS_ORIGIN_NOT_ALLOWED')
  t.equal((await post({ host: own, origin: `http://127.0.0.1:${port + 1}` })).status, 403, 'another port is another origin')

  // DNS rebinding: the attacker's page is "same origin" with the name it rebound, but the Host rule comes first.
  const rebound = `attacker.example:${port}`
  const refused = await post({ host: rebound, origin: `http://${rebound}` })
  t.equal(refused.status, 403)
  t.equal(refused.body.code, 'GS_HOST_NOT_ALLOWED')
  t.equal(await upgradeStatus(port, socketPath, { host: rebound, origin: `http://${rebound}` }), 403, 'the socket too')
})
