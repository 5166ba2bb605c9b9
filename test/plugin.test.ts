import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import genswarms, { type GenswarmsOptions } from '../index.js'
import { mockAgent, swarmConfig, tempDir } from './helpers/engine.js'

/** Someone else's app: its own routes, validation and error handler, then Genswarms registered into it. */
async function hostApp(t: Test, opts: GenswarmsOptions): Promise<FastifyInstance> {
  const dir = tempDir(t)
  const app = Fastify({ logger: false })
  app.setErrorHandler((err: Error, _req, reply) => reply.code(418).send({ host: 'handled', message: err.message }))
  app.get('/health', async () => ({ ok: true }))
  app.post<{ Body: { n: number } }>('/double', { schema: { body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } } }, async (req) => ({ doubled: req.body.n * 2 }))
  app.get('/boom', async () => {
    throw new Error('host failure')
  })
  await app.register(genswarms, { dbPath: join(dir, 'swarms.db'), cwd: dir, apiToken: null, events: { buffered: false }, relay: false, ...opts })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

t.test('registered into a foreign app: both the host routes and Genswarms work, each with its own rules', async (t) => {
  const app = await hostApp(t, {})
  // Typed decorators on the host instance.
  t.equal(typeof app.swarmManager.start, 'function')
  t.equal(typeof app.registry.list, 'function')
  t.equal(typeof app.eventStore.query, 'function')
  t.equal(typeof app.pubsub.publish, 'function')

  t.same((await app.inject({ url: '/health' })).json(), { ok: true })
  t.same((await app.inject({ method: 'POST', url: '/double', payload: { n: '21' } })).json(), { doubled: 42 }, 'the host keeps Fastify\'s coercing validator')
  const boom = await app.inject({ url: '/boom' })
  t.equal(boom.statusCode, 418, 'the host keeps its error handler')
  t.equal((await app.inject({ url: '/health', remoteAddress: '10.1.2.3' })).statusCode, 200, 'host routes are not subject to Genswarms auth')

  const created = await app.inject({ method: 'POST', url: '/api/swarms', payload: { config: swarmConfig('hosted', [mockAgent('a')]) } })
  t.equal(created.statusCode, 201)
  t.ok(app.swarmManager.has('hosted'))
  const bad = await app.inject({ method: 'POST', url: '/api/swarms/hosted/agents/a/task', payload: { task: 5 } })
  t.same(bad.json(), { error: 'body/task must be string', code: 'GS_INVALID_INPUT' }, 'Genswarms keeps its strict validation and error shape')
  t.equal((await app.inject({ url: '/api/swarms', remoteAddress: '10.1.2.3' })).statusCode, 403, 'Genswarms routes are loopback-only')
})

t.test('under a route prefix', async (t) => {
  const app = await hostApp(t, { prefix: '/gs' })
  t.same((await app.inject({ url: '/health' })).json(), { ok: true })
  const info = (await app.inject({ url: '/gs' })).json()
  t.equal(info.websocket.url, '/gs/swarm')
  t.ok(info.endpoints.some((e: { method: string; path: string }) => e.method === 'GET' && e.path === '/gs/api/swarms'))
  t.equal((await app.inject({ method: 'POST', url: '/gs/api/swarms', payload: { config: swarmConfig('pre', [mockAgent('a')]) } })).statusCode, 201)
  t.same((await app.inject({ url: '/gs/api/swarms' })).json().swarms.map((s: { name: string }) => s.name), ['pre'])
  t.equal((await app.inject({ url: '/api/swarms' })).statusCode, 404, 'nothing outside the prefix')
  t.ok(app.hasRoute({ method: 'GET', url: '/gs/swarm/websocket' }), 'the socket moves with the prefix')
  const doc = (await app.inject({ url: '/gs/documentation/json' })).json()
  t.ok(doc.paths['/gs/api/swarms'], 'OpenAPI paths carry the prefix')
})

t.test('OpenAPI document generated from the route schemas at /documentation/json', async (t) => {
  const app = await hostApp(t, { version: '1.2.3' })
  const res = await app.inject({ url: '/documentation/json' })
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.equal(doc.openapi, '3.0.3')
  t.equal(doc.info.version, '1.2.3')
  t.notOk(doc.paths['/health'], 'host routes are not in the Genswarms document')
  const task = doc.paths['/api/swarms/{name}/agents/{agent}/task'].post
  t.same(task.requestBody.content['application/json'].schema.required, ['task'])
  t.same(task.parameters.map((p: { name: string; in: string }) => [p.in, p.name]).sort(), [['path', 'agent'], ['path', 'name']])
  const events = doc.paths['/api/events'].get
  t.same(events.parameters.map((p: { name: string }) => p.name).sort(), ['agent', 'category', 'event_type', 'level', 'limit', 'minutes', 'swarm'])
  for (const path of ['/api/swarms', '/api/swarms/{name}', '/api/swarms/{name}/restart', '/api/swarms/clean', '/api/config/validate', '/api/skills/{name}']) {
    t.ok(doc.paths[path], `documents ${path}`)
  }
  t.notOk(doc.paths['/documentation/json'], 'the document itself is hidden')

  const off = await hostApp(t, { openapi: false })
  t.equal((await off.inject({ url: '/documentation/json' })).statusCode, 404, 'openapi: false turns it off')
})
