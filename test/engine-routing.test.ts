import t from 'tap'
import { listSwarms, stopSwarm } from '../lib/hosts/index.js'
import { topics } from '../lib/pubsub/index.js'
import type { RoutingData } from '../lib/swarm/types.js'
import { mockAgent, nextMessage, swarmConfig, testEngine, waitFor } from './helpers/engine.js'

t.test('A @B reaches B, B answers A, off-topology messages are dropped, broadcasts follow edges', async (t) => {
  const engine = testEngine(t)
  const config = swarmConfig(
    'talk',
    [
      mockAgent('alice', [
        { match: '^kick', response: 'thinking\n@bob: please review\n@carol: not connected' },
        { match: 'reviewed', response: 'thanks\n@all: done here' },
      ]),
      mockAgent('bob', [{ match: 'please review', response: '@alice: reviewed it' }]),
      mockAgent('carol', []),
      mockAgent('dave', []),
    ],
    [['alice', 'bob'], ['bob', 'alice'], ['alice', 'dave']],
  )
  await engine.swarmManager.start(config)
  const broadcast = nextMessage<RoutingData>(engine, topics.routing('talk'), (m) => m.event === 'message_broadcast')
  engine.swarmManager.sendTask('talk', 'alice', 'kick off')
  const b = await broadcast
  t.same(b.payload.to, ['bob', 'dave'], 'broadcast goes to exactly the connected targets')
  t.equal(b.payload.type, 'broadcast')
  t.equal(b.payload.content_preview, 'done here')

  const store = engine.eventStore
  await waitFor(() => store.query({ swarm: 'talk', agent: 'dave', event_type: 'message_delivered' }).length > 0, 'broadcast delivery to dave')
  const routed = store.query({ swarm: 'talk', event_type: 'message_routed', limit: 10 }).reverse()
  t.same(routed.map((e) => [e.metadata.from, e.metadata.to]), [['alice', 'bob'], ['bob', 'alice']], 'A→B then B→A')
  const invalid = store.query({ swarm: 'talk', event_type: 'invalid_route' })
  t.equal(invalid.length, 1)
  t.equal(invalid[0]!.level, 'warning')
  t.match(invalid[0]!.metadata, { from: 'alice', to: 'carol', allowed: ['bob', 'dave'], task_id: String }, 'the dropped message names the task whose turn wrote it')
  t.equal(store.query({ swarm: 'talk', agent: 'carol', event_type: 'message_delivered' }).length, 0, 'carol never got the dropped message')
  const bobHistory = engine.swarmManager.history('talk', 'bob')
  t.same(bobHistory.filter((h) => h.direction === 'in').map((h) => [h.from, h.content]), [['alice', 'please review'], ['alice', 'done here']])
  const log = engine.swarmManager.messages('talk')
  t.equal(log.length, 3, 'message log holds routed messages and the broadcast')
})

t.test('system objects pass the topology check; unknown targets warn', async (t) => {
  const engine = testEngine(t)
  await engine.swarmManager.start(swarmConfig('sys', [mockAgent('a', [{ match: 'go', response: '@metrics: 42\n@ghost: boo' }])], [['a', 'ghost']]))
  engine.swarmManager.sendTask('sys', 'a', 'go')
  await waitFor(() => engine.eventStore.query({ swarm: 'sys', event_type: 'target_not_found' }).length > 0, 'target_not_found')
  const delivered = engine.eventStore.query({ swarm: 'sys', event_type: 'message_delivered' })
  t.equal(delivered.length, 1)
  t.equal(delivered[0]!.agent, 'metrics')
  t.equal(delivered[0]!.category, 'object')
  t.equal(engine.eventStore.query({ swarm: 'sys', event_type: 'invalid_route' }).length, 0)
  t.throws(() => engine.swarmManager.routeMessage('sys', 'a', 'nobody', 'x'), { code: 'GS_INVALID_ROUTE' })
  t.same(engine.swarmManager.routeMessage('sys', 'a', 'tick', 'x').to, 'tick')
})

t.test('tasks sent while an agent works are delivered in order after it finishes', async (t) => {
  const engine = testEngine(t)
  await engine.swarmManager.start(swarmConfig('queue', [mockAgent('w', [{ match: '.*', response: 'done', delay_ms: 50 }])]))
  const states: string[] = []
  engine.pubsub.subscribe<{ agent: string; state: string }>(topics.status('queue'), (m) => states.push(m.payload.state))
  for (const n of [1, 2, 3, 4]) engine.swarmManager.sendTask('queue', 'w', `task ${n}`)
  t.equal(engine.swarmManager.agentStatus('queue', 'w').state, 'working')
  t.equal(engine.swarmManager.agentStatus('queue', 'w').inbox, 3, 'three wait while the first runs')
  await waitFor(() => engine.swarmManager.history('queue', 'w').filter((h) => h.direction === 'out').length === 4, 'four outputs')
  const history = engine.swarmManager.history('queue', 'w')
  t.same(history.filter((h) => h.direction === 'in').map((h) => h.content), ['task 1', 'task 2', 'task 3', 'task 4'])
  t.same(history.map((h) => h.direction), ['in', 'out', 'in', 'out', 'in', 'out', 'in', 'out'], 'each task starts after the previous answer')
  await waitFor(() => states.at(-1) === 'idle', 'idle')
  t.same(states, ['idle', 'working', 'idle', 'working', 'idle', 'working', 'idle', 'working', 'idle'].slice(1), 'agent_status follows every change')
})

t.test('PubSub: a subscriber of swarm:S:output sees S and nothing of another swarm', async (t) => {
  const engine = testEngine(t)
  const echo = [{ match: '.*', response: 'echo' }]
  await engine.swarmManager.start(swarmConfig('s1', [mockAgent('a', echo)]))
  await engine.swarmManager.start(swarmConfig('s2', [mockAgent('a', echo)]))
  const seen: unknown[] = []
  engine.pubsub.subscribe(topics.output('s1'), (m) => seen.push(m))
  engine.swarmManager.sendTask('s2', 'a', 'hello two')
  engine.swarmManager.sendTask('s1', 'a', 'hello one')
  await waitFor(() => engine.swarmManager.history('s2', 'a').length === 2 && seen.length === 1, 'outputs')
  // Proves an absence: s2's output was already published (its history is complete), so a leak would be here.
  await new Promise((r) => setTimeout(r, 50))
  t.same(seen, [{ event: 'agent_output', payload: { agent: 'a', content: 'echo' } }])
})

t.test('bad input: typed errors, the manager keeps working', async (t) => {
  const engine = testEngine(t)
  const m = engine.swarmManager
  t.throws(() => m.sendTask('nope', 'a', 'x'), { code: 'GS_SWARM_NOT_FOUND', reason: ':not_found' })
  await m.start(swarmConfig('ok', [mockAgent('a')]))
  t.throws(() => m.sendTask('ok', 'zz', 'x'), { code: 'GS_AGENT_NOT_FOUND', reason: ':agent_not_found' })
  await t.rejects(m.start(swarmConfig('ok', [mockAgent('a')])), { code: 'GS_SWARM_ALREADY_RUNNING' })
  const broken = swarmConfig('broken', [{ name: 'x', backend: { type: 'local', command: ['/nonexistent/program'] }, skills: [], config: {} }])
  await t.rejects(m.start(broken), { code: 'GS_BACKEND_START_FAILED', message: /nonexistent|ENOENT/ })
  t.notOk(m.has('broken'))
  const partial = await m.start(swarmConfig('partial', [mockAgent('fine'), { name: 'bad', backend: { type: 'local', command: ['/nonexistent/program'] }, skills: [], config: {} }]))
  t.same(partial.failed.map((f) => f.agent), ['bad'], 'a partial start names the failed agent')
  t.equal(m.agentStatus('partial', 'bad').state, 'error')
  t.throws(() => m.sendTask('partial', 'bad', 'x'), { code: 'GS_AGENT_UNAVAILABLE' })
  const started = engine.eventStore.query({ swarm: 'partial', event_type: 'swarm_started' })[0]!
  t.equal(started.level, 'warning')
  await m.stop('ok')
  // The manager knows only the swarms it runs; a stopped one is known through its registry row.
  await t.rejects(stopSwarm(engine.reach, 'ok'), { code: 'GS_SWARM_NOT_RUNNING' })
  await t.rejects(m.stop('never'), { code: 'GS_SWARM_NOT_FOUND' })
  t.same(listSwarms(engine.reach).map((s) => [s.name, s.status]), [['ok', 'stopped'], ['partial', 'running']])
})
