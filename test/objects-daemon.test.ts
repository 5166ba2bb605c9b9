import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { cliWorkspace } from './helpers/cli.js'
import { tempDir } from './helpers/engine.js'
import { api, watch, writeModule } from './helpers/objects.js'
import { outcome, startServer } from './helpers/server.js'

// A daemon swarm's objects live in the daemon's memory: the server beside it
// reads and changes them through the typed command queue.

const ws = cliWorkspace(t)
writeModule(ws.dir, 'objects/game.mjs', readFileSync(new URL('./fixtures/objects/game.mjs', import.meta.url), 'utf8'))
writeModule(ws.dir, 'objects/plain.mjs', 'export default { init(config) { return { state: { n: config.n } } }, handleMessage(_m, state) { return { reply: `n=${state.n}` } } }\n')
writeModule(ws.dir, 'objects/bridge.mjs', readFileSync(new URL('../examples/bridge/bridge.mjs', import.meta.url), 'utf8'))
writeFileSync(join(ws.dir, 'arena.json'), JSON.stringify({
  name: 'arena',
  agents: [{ name: 'a', backend: { type: 'mock', script: [{ match: '^play$', response: '@game: move' }] } }, { name: 'b', backend: 'mock' }],
  objects: [{ name: 'game', handler: './objects/game.mjs', config: { first: 'a' } }],
  topology: [['a', 'game'], ['game', 'b'], ['gateway', 'b']],
}))

t.before(async () => {
  const started = await ws.run(['start', 'arena.json'])
  if (started.code !== 0) throw new Error(started.stderr)
})
t.teardown(() => ws.run(['stop', 'arena']))

t.test('a daemon swarm\'s objects: behaviour inside the daemon, routes through the queue', async (t) => {
  const server = await startServer(t, { dbPath: ws.db, cwd: ws.dir })
  const w = await watch(t, server, 'arena')

  t.equal((await outcome(w.channel.push('send_task', { agent: 'a', task: 'play' }))).status, 'ok')
  await w.waitPush('message_routed', (p) => p.from === 'game' && p.to === 'a' && p.content_preview === 'ok 1 a', 'the object in the daemon answers, relayed live')

  const listed = await api(server, 'GET', '/api/swarms/arena/objects')
  t.equal(listed.status, 200, JSON.stringify(listed.body))
  t.match(listed.body.objects, [{ name: 'game', status: 'running', handler: './objects/game.mjs', message_count: 1 }], 'runtime state read from the daemon')

  const added = await api(server, 'POST', '/api/swarms/arena/objects', { name: 'plain', handler: './objects/plain.mjs', config: { n: 1 }, incoming: ['a'] })
  t.equal(added.status, 201, JSON.stringify(added.body))
  const configured = await api(server, 'PATCH', '/api/swarms/arena/objects/plain/config', { n: 5 })
  t.match(configured.body, { status: 'configured', config: { n: 5 } })
  await api(server, 'POST', '/api/swarms/arena/message', { from: 'a', to: 'plain', content: 'x' })
  await w.waitPush('message_routed', (p) => p.from === 'plain' && p.content_preview === 'n=5', 'the added object runs in the daemon with its merged config')

  const elsewhere = tempDir(t)
  writeFileSync(join(elsewhere, 'evil.mjs'), 'export default {}\n')
  const refused = await api(server, 'POST', '/api/swarms/arena/objects', { name: 'evil', handler: join(elsewhere, 'evil.mjs') })
  t.equal(refused.status, 400, 'the daemon refuses a module outside its working directory')
  t.equal(refused.body.code, 'GS_INVALID_HANDLER')

  const removed = await api(server, 'DELETE', '/api/swarms/arena/objects/plain')
  t.match(removed.body, { status: 'removed', result: { removed: ['plain'] } })
  t.same((await api(server, 'GET', '/api/swarms/arena/objects')).body.objects.map((o: { name: string }) => o.name), ['game'])
  t.same((await api(server, 'GET', '/api/swarms/arena/overlay')).body.overlay.map((e: { op: string }) => e.op), ['add_object', 'configure_object', 'remove_object'])
})

t.test('ctx.sendToSwarm from a swarm in the server reaches a daemon swarm through its host, entering at its gateway', async (t) => {
  const server = await startServer(t, { dbPath: ws.db, cwd: ws.dir })
  const arena = await watch(t, server, 'arena')
  const started = await api(server, 'POST', '/api/swarms', { config: {
    name: 'front',
    agents: [{ name: 'x', backend: { type: 'mock', script: [{ match: '^go$', response: '@bridge: over there' }] } }],
    objects: [{ name: 'bridge', handler: './objects/bridge.mjs', config: { swarm: 'arena', to: 'b' } }],
    topology: [['x', 'bridge']],
  } })
  t.equal(started.status, 201, JSON.stringify(started.body))
  await api(server, 'POST', '/api/swarms/front/agents/x/task', { task: 'go' })
  const entered = await arena.waitPush('message_routed', (p) => p.from === 'gateway' && p.to === 'b', 'gateway → b inside the daemon, relayed')
  t.equal(entered.content_preview, 'x (front) says: over there')
})
