import t, { type Test } from 'tap'
import type { SwarmConfig } from '../lib/config/types.js'
import { Router } from '../lib/swarm/router.js'
import { Swarm } from '../lib/swarm/swarm.js'
import type { SwarmEvent } from '../lib/events/types.js'
import { localAgent, mockAgent, testEngine, waitFor } from './helpers/engine.js'

// Pins what a swarm does with every kind of routing outcome, event by event and
// in order, so moving the decision into the router cannot change what is seen.

type Engine = ReturnType<typeof testEngine>

async function running(t: Test, engine: Engine, config: SwarmConfig): Promise<Swarm> {
  const swarm = new Swarm(config, engine.spine)
  await swarm.start()
  t.teardown(() => swarm.stop())
  return swarm
}

/** Every event after the swarm started, oldest first, without timestamps. */
function eventsOf(engine: Engine, swarm: string) {
  const all = engine.eventStore.query({ swarm, limit: 1000 }).reverse()
  const from = all.findIndex((e) => e.event_type === 'swarm_started') + 1
  return all.slice(from).map((e: SwarmEvent) => {
    const { timestamp: _t, ...metadata } = e.metadata as Record<string, unknown>
    return [e.event_type, e.agent, e.level, metadata] as const
  })
}

const idle = (swarm: Swarm, ...names: string[]) => () => names.every((n) => swarm.agent(n).state === 'idle' && swarm.agent(n).inboxSize === 0)
const task = { task_id: 7, redelivered: true }

t.test('the router only decides: a decision per message, the log holds what it let through', async (t) => {
  const router = new Router('r', [{ from: 'a', to: 'b' }, { from: 'a', to: 'ghost' }])
  t.same(router.route('b', 'a', 'back'), { kind: 'invalid_route', to: 'a', allowed: [] })
  t.same(router.route('a', 'c', 'off'), { kind: 'invalid_route', to: 'c', allowed: ['b', 'ghost'] })
  t.equal(router.messageCount, 0, 'a refused message is not logged')

  const direct = router.route('a', 'b', 'x'.repeat(150))
  t.match(direct, { kind: 'deliver', to: 'b', data: { swarm: 'r', from: 'a', to: 'b', type: 'direct', content_preview: 'x'.repeat(100) } })
  t.match(router.route('b', 'metrics', 'm'), { kind: 'deliver', to: 'metrics' }, 'a system object needs no edge')
  t.match(router.route('a', 'ghost', 'g'), { kind: 'deliver', to: 'ghost' }, 'whether the target exists is for the swarm to find out')

  const all = router.broadcast('a', 'hi')
  t.same(all.targets, ['b', 'ghost'])
  t.match(all.data, { from: 'a', to: ['b', 'ghost'], type: 'broadcast' })
  t.same(router.broadcast('b', 'alone').targets, [], 'a sender without edges broadcasts to no one, and that is logged too')
  t.same(router.messages().map((m) => m.content_preview.slice(0, 5)), ['xxxxx', 'm', 'g', 'hi', 'alone'])
  t.equal(router.messages(1)[0], router.messages().at(-1))
})

t.test('agent output: each directive is decided by the topology and acted on under the turn\'s task', async (t) => {
  const engine = testEngine(t)
  const swarm = await running(t, engine, {
    name: 'acts',
    agents: [mockAgent('lead', [{ match: '^go', response: '@w: hi\n@nobody: x\n@ghost: boo\n@metrics: 1\n@store: s\n@all: everyone' }]), mockAgent('w')],
    objects: [{ name: 'store', type: 'kv', config: {} }],
    topology: [{ from: 'lead', to: 'w' }, { from: 'lead', to: 'ghost' }, { from: 'lead', to: 'store' }],
  })
  swarm.sendTask('lead', 'go', { id: 7, redelivered: true })
  await waitFor(() => eventsOf(engine, 'acts').filter((e) => e[0] === 'message_delivered' && e[1] === 'w').length === 2 && idle(swarm, 'lead', 'w')(), 'both deliveries to w')

  const routed = (to: string | string[], content: string, type = 'direct') => ({ swarm: 'acts', from: 'lead', to, type, content_preview: content, ...task })
  const delivered = (content: string) => ({ from: 'lead', content_preview: content, ...task })
  const status = (state: string, previous: string) => ({ state, previous, ...task })
  t.same(eventsOf(engine, 'acts'), [
    ['task_sent', 'lead', 'info', { task: 'go', ...task }],
    ['agent_status', 'lead', 'debug', status('working', 'idle')],
    ['agent_output', 'lead', 'info', { ...task }],
    ['message_routed', 'lead', 'info', routed('w', 'hi')],
    ['agent_status', 'w', 'debug', status('working', 'idle')],
    ['message_delivered', 'w', 'info', delivered('hi')],
    ['invalid_route', 'lead', 'warning', { from: 'lead', to: 'nobody', allowed: ['w', 'ghost', 'store'], ...task }],
    ['message_routed', 'lead', 'info', routed('ghost', 'boo')],
    ['target_not_found', 'lead', 'warning', { from: 'lead', to: 'ghost', ...task }],
    ['message_routed', 'lead', 'info', routed('metrics', '1')],
    ['message_delivered', 'metrics', 'info', delivered('1')],
    ['message_routed', 'lead', 'info', routed('store', 's')],
    ['message_delivered', 'store', 'info', delivered('s')],
    ['message_broadcast', 'lead', 'info', routed(['w', 'ghost', 'store'], 'everyone', 'broadcast')],
    ['target_not_found', 'lead', 'warning', { from: 'lead', to: 'ghost', ...task }],
    ['message_delivered', 'store', 'info', delivered('everyone')],
    ['agent_status', 'lead', 'debug', status('idle', 'working')],
    ['agent_status', 'w', 'debug', status('idle', 'working')],
    // w was busy when the broadcast came: the message waited and still carries the task that caused it
    ['agent_status', 'w', 'debug', status('working', 'idle')],
    ['message_delivered', 'w', 'info', delivered('everyone')],
    ['agent_status', 'w', 'debug', status('idle', 'working')],
  ])
  t.equal(engine.eventStore.query({ swarm: 'acts', agent: 'store', event_type: 'message_delivered' })[0]!.category, 'object', 'an object\'s delivery is an object event')
  t.same(swarm.router.messages().map((m) => [m.to, m.type]), [['w', 'direct'], ['ghost', 'direct'], ['metrics', 'direct'], ['store', 'direct'], [['w', 'ghost', 'store'], 'broadcast']], 'only messages that pass the topology are logged')
})

// A local program speaks `send` and `broadcast` lines besides its output text.
const speaker = [
  "const say = (m) => process.stdout.write(JSON.stringify(m) + '\\n')",
  "require('node:readline').createInterface({ input: process.stdin }).on('line', () => {",
  "  say({ type: 'send', to: 'w', content: 'direct' }); say({ type: 'send', to: 'nobody', content: 'lost' })",
  "  say({ type: 'broadcast', content: 'to all' }); say({ type: 'status', state: 'idle' }) })",
].join('\n')

t.test('send and broadcast lines take the same decisions as parsed output', async (t) => {
  const engine = testEngine(t)
  const swarm = await running(t, engine, {
    name: 'lines',
    agents: [localAgent('lead', { backend: { type: 'local', command: [process.execPath, '-e', speaker], kill_grace_ms: 500 } }), mockAgent('w')],
    objects: [],
    topology: [{ from: 'lead', to: 'w' }],
  })
  swarm.sendTask('lead', 'go', { id: 3, redelivered: false })
  await waitFor(() => engine.eventStore.query({ swarm: 'lines', agent: 'w', event_type: 'message_delivered' }).length === 2 && idle(swarm, 'lead', 'w')(), 'both messages reach w')
  const seen = eventsOf(engine, 'lines').filter(([type]) => type !== 'agent_status' && type !== 'task_sent')
  t.same(seen.map(([type, agent, , m]) => [type, agent, m.to ?? m.from, m.task_id]), [
    ['message_routed', 'lead', 'w', 3],
    ['message_delivered', 'w', 'lead', 3],
    ['invalid_route', 'lead', 'nobody', 3],
    ['message_broadcast', 'lead', ['w'], 3],
    ['message_delivered', 'w', 'lead', 3],
  ])
})

t.test('a message from outside: refused to its sender when the topology or the node says no', async (t) => {
  const engine = testEngine(t)
  const swarm = await running(t, engine, {
    name: 'ext',
    agents: [mockAgent('a'), mockAgent('b')],
    objects: [],
    topology: [{ from: 'a', to: 'b' }],
  })
  t.throws(() => swarm.routeMessage('ghost', 'b', 'x'), { code: 'GS_AGENT_NOT_FOUND' })
  t.same(eventsOf(engine, 'ext'), [], 'an unknown sender leaves no trace')

  t.throws(() => swarm.routeMessage('b', 'a', 'x'), { code: 'GS_INVALID_ROUTE', message: 'no topology edge from "b" to "a" (allowed targets: none)' })
  t.same(eventsOf(engine, 'ext'), [['invalid_route', 'b', 'warning', { from: 'b', to: 'a', allowed: [] }]], 'the refusal is also an invalid_route event')

  const data = swarm.routeMessage('a', 'b', 'hello')
  t.match(data, { swarm: 'ext', from: 'a', to: 'b', type: 'direct', content_preview: 'hello' })
  t.same(swarm.router.messages(), [data], 'the answer is the logged message')
  t.same(swarm.routeMessage('b', 'tick', 'beat').to, 'tick', 'a system object needs no edge')
  await waitFor(idle(swarm, 'a', 'b'), 'b idle')
  t.same(eventsOf(engine, 'ext').slice(1).map(([type, agent]) => [type, agent]), [
    ['message_routed', 'a'],
    ['agent_status', 'b'],
    ['message_delivered', 'b'],
    ['message_routed', 'b'],
    ['message_delivered', 'tick'],
    ['agent_status', 'b'],
  ])
})
