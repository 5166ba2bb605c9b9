import { readFileSync } from 'node:fs'
import t from 'tap'
import { mockAgent } from './helpers/engine.js'
import { api, watch, writeModule } from './helpers/objects.js'
import { outcome, startServer } from './helpers/server.js'

const GAME = readFileSync(new URL('./fixtures/objects/game.mjs', import.meta.url), 'utf8')

/** A swarm with two agents and a game object (handler written into the server's working directory). */
function gameSwarm(name: string, object: Record<string, unknown> = {}) {
  return {
    name,
    agents: [mockAgent('a', [{ match: '^play$', response: '@game: move' }]), mockAgent('b')],
    objects: [{ name: 'game', handler: './objects/game.mjs', config: { first: 'a' }, ...object }],
    topology: [{ from: 'a', to: 'game' }, { from: 'game', to: 'b' }],
  }
}

t.test('an agent\'s @game: message reaches the object; its reply comes back to the agent; send and broadcast are routed and pushed', async (t) => {
  const server = await startServer(t)
  writeModule(server.dir, 'objects/game.mjs', GAME)
  t.equal((await api(server, 'POST', '/api/swarms', { config: gameSwarm('play', { config: { first: 'a', greet: 'welcome' } }) })).status, 201)
  const w = await watch(t, server, 'play')
  const greeted = await api(server, 'GET', '/api/swarms/play/events?event_type=message_delivered')
  t.match(greeted.body.events, [{ agent: 'b', metadata: { from: 'game', content_preview: 'welcome' } }], 'what init sends is routed once the agents run')

  t.equal((await outcome(w.channel.push('send_task', { agent: 'a', task: 'play' }))).status, 'ok')
  await w.waitPush('message_routed', (p) => p.from === 'a' && p.to === 'game', 'a → game pushed')
  const reply = await w.waitPush('message_routed', (p) => p.from === 'game' && p.to === 'a', 'the reply pushed')
  t.equal(reply.content_preview, 'ok 1 a', 'the handler\'s reply, with its state')
  const delivered = await w.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'a', 'the reply delivered to a')
  t.match(delivered.metadata, { from: 'game', content_preview: 'ok 1 a' }, 'the reply reached the agent as a message, without an edge game → a')

  t.equal((await api(server, 'POST', '/api/swarms/play/message', { from: 'a', to: 'game', content: 'announce' })).status, 200)
  await w.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'b' && e.metadata.content_preview === 'to b', 'send to b delivered')
  const refused = await w.waitEvent((e) => e.event_type === 'invalid_route' && e.agent === 'game', 'send to a refused by the topology')
  t.same(refused.metadata.allowed, ['b'], 'send is topology-gated: game has no edge to a')
  await w.waitEvent((e) => e.event_type === 'message_broadcast' && e.agent === 'game', 'the broadcast stored')
  await w.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'b' && e.metadata.content_preview === 'all hear', 'broadcast delivered to game\'s targets')

  const status = await api(server, 'GET', '/api/swarms/play')
  t.match(status.body.objects, [{ name: 'game', status: 'running', handler: './objects/game.mjs', message_count: 2 }], 'status shows the object with its state')
})

t.test('timers fire, can be cleared, and stop with the swarm', async (t) => {
  const server = await startServer(t)
  writeModule(server.dir, 'objects/game.mjs', GAME)
  await api(server, 'POST', '/api/swarms', { config: gameSwarm('timers') })
  const w = await watch(t, server, 'timers')

  await api(server, 'POST', '/api/swarms/timers/message', { from: 'a', to: 'game', content: 'tick' })
  for (const n of [1, 2, 3]) await w.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'b' && e.metadata.content_preview === `tick ${n}`, `tick ${n}`)

  await api(server, 'POST', '/api/swarms/timers/message', { from: 'a', to: 'game', content: 'long' })
  await w.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'game' && e.metadata.content_preview === 'long', 'long delivered')
  const armed = async () => (await api(server, 'GET', '/api/swarms/timers/objects/game')).body.timers
  await until(async () => (await armed()).includes('long'), 'the long timer armed')
  await api(server, 'POST', '/api/swarms/timers/message', { from: 'a', to: 'game', content: 'unlong' })
  await until(async () => (await armed()).length === 0, 'the long timer cleared')

  await api(server, 'POST', '/api/swarms/timers/message', { from: 'a', to: 'game', content: 'long' })
  await until(async () => (await armed()).includes('long'), 'armed again')
  const swarm = server.app.swarmManager.swarm('timers')
  t.equal((await api(server, 'DELETE', '/api/swarms/timers')).status, 200)
  t.same(swarm.objects.status()[0]!.timers, [], 'no timer outlives the swarm')
  t.equal(swarm.objects.status()[0]!.status, 'stopped')
  const stored = await api(server, 'GET', '/api/swarms/timers/events?event_type=object_log')
  t.match(stored.body.events, [{ agent: 'game', message: 'game: terminated', metadata: { moves: 0 } }], 'terminate ran and its log is a stored event')
})

t.test('crash containment: throw, reject and an invalid result keep the previous state; the swarm keeps running', async (t) => {
  const server = await startServer(t)
  writeModule(server.dir, 'objects/game.mjs', GAME)
  await api(server, 'POST', '/api/swarms', { config: gameSwarm('crash') })
  const w = await watch(t, server, 'crash')
  const say = (content: string) => api(server, 'POST', '/api/swarms/crash/message', { from: 'a', to: 'game', content })

  await say('move')
  await w.waitPush('message_routed', (p) => p.from === 'game' && p.content_preview === 'ok 1 a', 'first move answered')
  await say('throw')
  const thrown = await w.waitEvent((e) => e.event_type === 'object_error' && e.metadata.details?.message === 'boom', 'object_error for the throw')
  t.equal(thrown.level, 'error')
  t.equal(thrown.category, 'object')
  t.match(thrown.metadata.details.stack, /boom[\s\S]*game\.mjs/, 'the stack is in details')
  await say('reject')
  await w.waitEvent((e) => e.event_type === 'object_error' && e.metadata.details?.message === 'nope', 'object_error for the rejection')
  await say('bad')
  await w.waitEvent((e) => e.event_type === 'object_error' && /invalid result/.test(e.message), 'object_error for an invalid result')
  await say('move')
  await w.waitPush('message_routed', (p) => p.from === 'game' && p.content_preview === 'ok 2 a', 'the state from before the failures is kept')
  const game = (await api(server, 'GET', '/api/swarms/crash/objects/game')).body
  t.equal(game.status, 'running')
  t.match(game.last_error, { message: /invalid result/ })

  await outcome(w.channel.push('send_task', { agent: 'a', task: 'play' }))
  await w.waitPush('message_routed', (p) => p.from === 'game' && p.content_preview === 'ok 3 a', 'the swarm keeps running')
})

t.test('a handler whose promise never settles is cut off at its time limit; the object goes to error and refuses deliveries', async (t) => {
  const server = await startServer(t)
  writeModule(server.dir, 'objects/game.mjs', GAME)
  await api(server, 'POST', '/api/swarms', { config: gameSwarm('hang', { timeout_ms: 200 }) })
  const w = await watch(t, server, 'hang')

  await api(server, 'POST', '/api/swarms/hang/message', { from: 'a', to: 'game', content: 'hang' })
  const timedOut = await w.waitEvent((e) => e.event_type === 'object_error' && e.metadata.timeout === true, 'object_error for the time limit')
  t.match(timedOut, { level: 'error', agent: 'game', metadata: { hook: 'handleMessage', timeout_ms: 200 } })
  t.equal((await api(server, 'GET', '/api/swarms/hang/objects/game')).body.status, 'error')

  await outcome(w.channel.push('send_task', { agent: 'a', task: 'play' }))
  const refused = await w.waitEvent((e) => e.event_type === 'message_refused' && e.agent === 'game', 'the next delivery refused with an event')
  t.match(refused, { level: 'warning', metadata: { from: 'a', state: 'error' } })
  t.equal((await api(server, 'GET', '/api/swarms/hang')).status, 200, 'the swarm still answers')
  t.equal((await api(server, 'DELETE', '/api/swarms/hang')).status, 200, 'and stops without waiting on the hung promise')
})

t.test('a failing init puts the object in error; deliveries to it are refused with an event', async (t) => {
  const server = await startServer(t)
  writeModule(server.dir, 'objects/game.mjs', GAME)
  const created = await api(server, 'POST', '/api/swarms', { config: gameSwarm('broken', { config: { fail_init: true } }) })
  t.equal(created.status, 201, 'the swarm starts anyway')
  const w = await watch(t, server, 'broken')
  const game = (await api(server, 'GET', '/api/swarms/broken/objects/game')).body
  t.match(game, { status: 'error', last_error: { message: /init failed: init refused by config/ } })
  await outcome(w.channel.push('send_task', { agent: 'a', task: 'play' }))
  await w.waitEvent((e) => e.event_type === 'message_refused' && e.agent === 'game', 'delivery refused')
  const stored = await api(server, 'GET', '/api/swarms/broken/events?event_type=object_error')
  t.match(stored.body.events, [{ level: 'error', metadata: { hook: 'init', details: { message: 'init refused by config' } } }])

  const fixed = await api(server, 'PATCH', '/api/swarms/broken/objects/game/config', { fail_init: false })
  t.equal(fixed.status, 200)
  t.equal((await api(server, 'GET', '/api/swarms/broken/objects/game')).body.status, 'running', 'a config change runs init again and brings the object back')
  await outcome(w.channel.push('send_task', { agent: 'a', task: 'play' }))
  await w.waitPush('message_routed', (p) => p.from === 'game' && p.content_preview === 'ok 1 null', 'deliveries are taken again')
})

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 8000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
