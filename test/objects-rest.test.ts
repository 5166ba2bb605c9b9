import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { mockAgent, tempDir } from './helpers/engine.js'
import { api, watch, writeModule } from './helpers/objects.js'
import { startServer } from './helpers/server.js'

const GAME = readFileSync(new URL('./fixtures/objects/game.mjs', import.meta.url), 'utf8')

const base = (name: string) => ({
  name,
  agents: [mockAgent('a'), mockAgent('b')],
  topology: [{ from: 'a', to: 'b' }],
})

t.test('a handler module outside the working directory is refused with 400, inline and at runtime', async (t) => {
  const server = await startServer(t)
  const elsewhere = tempDir(t)
  writeFileSync(join(elsewhere, 'evil.mjs'), 'export default { init() { globalThis.ran = true } }\n')
  writeModule(server.dir, 'objects/game.mjs', GAME)

  for (const handler of [join(elsewhere, 'evil.mjs'), '../' + join('..', elsewhere, 'evil.mjs'), './objects/missing.mjs', './objects']) {
    const refused = await api(server, 'POST', '/api/swarms', { config: { ...base('out'), objects: [{ name: 'evil', handler }] } })
    t.equal(refused.status, 400, `inline config naming ${handler}`)
    t.equal(refused.body.code, 'GS_INVALID_HANDLER')
  }
  t.notOk((globalThis as { ran?: boolean }).ran, 'the outside module never ran')
  t.equal((await api(server, 'GET', '/api/swarms/out')).status, 404, 'nothing was started')

  await api(server, 'POST', '/api/swarms', { config: base('live') })
  const added = await api(server, 'POST', '/api/swarms/live/objects', { name: 'evil', handler: join(elsewhere, 'evil.mjs') })
  t.equal(added.status, 400)
  t.equal(added.body.code, 'GS_INVALID_HANDLER')
  t.same((await api(server, 'GET', '/api/swarms/live/overlay')).body.overlay, [], 'a refused object is not recorded')
})

t.test('the object routes: list, one, add at runtime, configure, remove, and replay after a restart', async (t) => {
  const server = await startServer(t)
  writeModule(server.dir, 'objects/game.mjs', GAME)
  await api(server, 'POST', '/api/swarms', { config: base('rt') })
  const w = await watch(t, server, 'rt')

  t.same((await api(server, 'GET', '/api/swarms/rt/objects')).body, { swarm: 'rt', objects: [] })
  const added = await api(server, 'POST', '/api/swarms/rt/objects', {
    name: 'game', handler: './objects/game.mjs', config: { first: 'a' }, incoming: ['a'], connections: ['b'],
  })
  t.equal(added.status, 201)
  t.match(added.body, { status: 'added', object: 'game', result: { added: ['game'], removed: [] } })
  await w.waitPush('event', (e) => e.event_type === 'object_added', 'object_added pushed')
  await w.waitPush('event', (e) => e.event_type === 'object_started', 'object_started pushed')

  const one = await api(server, 'GET', '/api/swarms/rt/objects/game')
  t.same(one.body, {
    name: 'game', type: 'handler', status: 'running', handler: './objects/game.mjs',
    interface: { move: { input: 'any text', output: 'ok <moves> <first>' } },
    config: { first: 'a' }, timeout_ms: 5000, message_count: 0, last_error: null, timers: [],
  })
  t.equal((await api(server, 'GET', '/api/swarms/rt/objects/nope')).body.code, 'GS_OBJECT_NOT_FOUND')

  await api(server, 'POST', '/api/swarms/rt/message', { from: 'a', to: 'game', content: 'move' })
  await w.waitPush('message_routed', (p) => p.from === 'game' && p.content_preview === 'ok 1 a', 'the added object answers')

  const configured = await api(server, 'PATCH', '/api/swarms/rt/objects/game/config', { first: 'b' })
  t.match(configured.body, { status: 'configured', object: 'game', config: { first: 'b' } })
  await api(server, 'POST', '/api/swarms/rt/message', { from: 'a', to: 'game', content: 'move' })
  await w.waitPush('message_routed', (p) => p.from === 'game' && p.content_preview === 'ok 2 b', 'configure ran: state kept, config merged')

  const restarted = await api(server, 'POST', '/api/swarms/rt/restart')
  t.equal(restarted.status, 200)
  const replayed = await api(server, 'GET', '/api/swarms/rt/objects/game')
  t.match(replayed.body, { status: 'running', config: { first: 'b' }, message_count: 0 }, 'replayed from the overlay with the merged config')
  t.same((await api(server, 'GET', '/api/swarms/rt/topology')).body.topology.find((e: { from: string }) => e.from === 'game'), { from: 'game', targets: ['b'] })

  const removed = await api(server, 'DELETE', '/api/swarms/rt/objects/game')
  t.match(removed.body, { status: 'removed', object: 'game', result: { removed: ['game'] } })
  t.same((await api(server, 'GET', '/api/swarms/rt/objects')).body.objects, [])
  t.equal((await api(server, 'DELETE', '/api/swarms/rt/objects/game')).status, 404)
  t.same((await api(server, 'GET', '/api/swarms/rt/overlay')).body.overlay.map((e: { op: string }) => e.op), ['add_object', 'configure_object', 'remove_object'])

  // Without `configure`, a config change runs init again.
  writeModule(server.dir, 'objects/plain.mjs', 'export default { init(config) { return { state: { n: config.n } } }, handleMessage(_m, state) { return { reply: `n=${state.n}` } } }\n')
  await api(server, 'POST', '/api/swarms/rt/objects', { name: 'plain', handler: './objects/plain.mjs', config: { n: 1 }, incoming: ['a'] })
  await api(server, 'PATCH', '/api/swarms/rt/objects/plain/config', { n: 2 })
  await api(server, 'POST', '/api/swarms/rt/message', { from: 'a', to: 'plain', content: 'x' })
  await w.waitPush('message_routed', (p) => p.from === 'plain' && p.content_preview === 'n=2', 'init ran again with the merged config')
})

t.test('the object routes are in the OpenAPI document', async (t) => {
  const server = await startServer(t)
  const doc = (await api(server, 'GET', '/documentation/json')).body
  t.same(Object.keys(doc.paths['/api/swarms/{name}/objects']).sort(), ['get', 'post'])
  t.same(Object.keys(doc.paths['/api/swarms/{name}/objects/{object}']).sort(), ['delete', 'get'])
  t.same(Object.keys(doc.paths['/api/swarms/{name}/objects/{object}/config']), ['patch'])
  t.same(doc.paths['/api/swarms/{name}/objects'].post.requestBody.content['application/json'].schema.required, ['name', 'handler'])
})

t.test('handler and timeout_ms are validated with the rest of the config', async (t) => {
  const server = await startServer(t)
  const checked = await api(server, 'POST', '/api/config/validate', { config: { ...base('v'), objects: [{ name: 'o', handler: 7, timeout_ms: 0 }] } })
  t.equal(checked.body.valid, false)
  t.same(checked.body.errors, ['objects[0].handler: must be a non-empty module path', 'objects[0].timeout_ms: must be an integer from 1 to 600000'])
})
