import t, { type Test } from 'tap'
import { mockAgent } from './helpers/engine.js'
import { api, watch } from './helpers/objects.js'
import { outcome, startServer, until, type TestServer } from './helpers/server.js'

// metrics, tick and gateway: the objects every swarm has without declaring them.

const ticks = (events: any[], from = 'tick') => events.filter((e) => e.event_type === 'message_broadcast' && e.agent === from).map((e) => JSON.parse(e.metadata.content_preview).tick as number)

/** Another swarm's tick: a clock that advances on events, so a test can let intervals pass without a fixed sleep. */
async function clockSwarm(t: Test, server: TestServer, name: string) {
  const created = await api(server, 'POST', '/api/swarms', { config: { name, tick_ms: 20, agents: [mockAgent('x')], topology: [{ from: 'tick', to: 'x' }] } })
  t.equal(created.status, 201, JSON.stringify(created.body))
  const clock = await watch(t, server, name)
  return (n: number, what: string) => until(() => ticks(clock.events()).length >= n, what, 10_000)
}

t.test('metrics counts messages, tasks and turns and keeps each sender\'s last report; gateway pushes, stores and lists what reaches it, and lets a message in along its edges', async (t) => {
  const server = await startServer(t)
  const config = {
    name: 'sys',
    agents: [
      mockAgent('a', [{ match: '^go$', response: '@b: hi\n@metrics: score=1\n@gateway: out there' }, { match: '^again$', response: '@metrics: score=2' }]),
      mockAgent('b'),
    ],
    topology: [{ from: 'a', to: 'b' }, { from: 'gateway', to: 'a' }],
  }
  t.equal((await api(server, 'POST', '/api/swarms', { config })).status, 201)
  const w = await watch(t, server, 'sys')
  const gatewayPushes: any[] = []
  w.channel.on('gateway_message', (p: unknown) => void gatewayPushes.push(p))

  t.equal((await outcome(w.channel.push('send_task', { agent: 'a', task: 'go' }))).status, 'ok')
  await until(() => gatewayPushes.length > 0, 'the gateway_message push')
  t.same(gatewayPushes, [{ from: 'a', content: 'out there' }], 'a message to gateway is pushed to socket clients as {from, content}')
  const stored = await w.waitEvent((e) => e.event_type === 'gateway_message', 'the stored gateway_message')
  t.match(stored, { agent: 'gateway', category: 'object', metadata: { from: 'a', content: 'out there' } })

  const listed = await api(server, 'GET', '/api/swarms/sys/gateway?limit=10')
  t.equal(listed.status, 200)
  t.match(listed.body, { swarm: 'sys', count: 1, messages: [{ from: 'a', content: 'out there' }] }, 'listed by REST')

  await w.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'metrics', 'the report delivered')
  t.equal((await outcome(w.channel.push('send_task', { agent: 'a', task: 'again' }))).status, 'ok')
  await w.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'metrics' && e.metadata.content_preview === 'score=2', 'the second report delivered')
  // A turn is counted when it begins; the second report is that turn's output, so both have begun.
  const metrics = await api(server, 'GET', '/api/swarms/sys/metrics')
  t.equal(metrics.status, 200)
  t.match(metrics.body, {
    swarm: 'sys',
    messages: { total: 4, by_edge: { 'a->b': 1, 'a->metrics': 2, 'a->gateway': 1 }, by_node: { a: { sent: 4, received: 0 }, b: { sent: 0, received: 1 } } },
    tasks: { total: 2, by_agent: { a: 2 } },
    turns: { by_agent: { a: 2 } },
    tokens: { total_tokens: 0 },
  }, 'counters from what the swarm did')
  t.same(Object.keys(metrics.body.reports), ['a'])
  t.equal(metrics.body.reports.a.content, 'score=2', 'the last report of each sender')

  const injected = await api(server, 'POST', '/api/swarms/sys/message', { from: 'gateway', to: 'a', content: 'hello from outside' })
  t.match(injected, { status: 200, body: { status: 'routed', from: 'gateway', to: 'a' } }, 'a message from outside enters at gateway')
  await w.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'a' && e.metadata.from === 'gateway', 'delivered to a')
  const refused = await api(server, 'POST', '/api/swarms/sys/message', { from: 'gateway', to: 'b', content: 'no edge' })
  t.match(refused, { status: 400, body: { code: 'GS_INVALID_ROUTE' } }, 'only along gateway\'s edges')

  t.equal((await api(server, 'GET', '/api/swarms/nope/metrics')).status, 404)
  t.equal((await api(server, 'GET', '/api/swarms/nope/gateway')).status, 404)
})

t.test('tick sends {"tick": n} along its edges every tick_ms, not while paused, and stops with the swarm', async (t) => {
  const server = await startServer(t)
  const config = { name: 'ticking', tick_ms: 20, agents: [mockAgent('a'), mockAgent('b')], topology: [{ from: 'tick', to: 'a' }, { from: 'tick', to: 'b' }] }
  t.equal((await api(server, 'POST', '/api/swarms', { config })).status, 201)
  const w = await watch(t, server, 'ticking')
  const broadcasts: any[] = []
  w.channel.on('message_broadcast', (p: unknown) => void broadcasts.push(p))
  const clock = await clockSwarm(t, server, 'clock')

  await w.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'b' && e.metadata.from === 'tick' && e.metadata.content_preview === '{"tick":3}', 'tick 3 reaches b')
  await until(() => broadcasts.some((p) => p.from === 'tick' && p.content_preview === '{"tick":3}'), 'each tick is pushed like any broadcast')
  t.ok(w.events().some((e) => e.event_type === 'message_delivered' && e.agent === 'a' && e.metadata.content_preview === '{"tick":3}'), 'every node with an edge from tick gets it')

  t.match((await api(server, 'POST', '/api/swarms/ticking/pause')).body, { status: 'paused' })
  await w.waitEvent((e) => e.event_type === 'swarm_paused', 'paused')
  const beforePause = ticks(w.events())
  const last = Math.max(...beforePause)
  // Ten of the clock's intervals (of the same length) pass while paused.
  const clockNow = ticks((await api(server, 'GET', '/api/swarms/clock/events?event_type=message_broadcast&limit=1000')).body.events).length
  await clock(clockNow + 10, 'ten clock ticks')
  t.same(ticks(w.events()), beforePause, 'no tick while paused')

  await api(server, 'POST', '/api/swarms/ticking/resume')
  await w.waitEvent((e) => e.event_type === 'message_broadcast' && e.agent === 'tick' && e.metadata.content_preview === `{"tick":${last + 2}}`, 'ticks again after resume')
  // From the store, not the socket: the first ticks may precede the subscription.
  const stored = async () => ticks((await api(server, 'GET', '/api/swarms/ticking/events?event_type=message_broadcast&limit=1000')).body.events).sort((x, y) => x - y)
  const all = await stored()
  t.same(all.slice(0, last + 2), Array.from({ length: last + 2 }, (_, i) => i + 1), 'numbered 1, 2, 3 … without a gap: the count did not run on while paused')

  t.equal((await api(server, 'DELETE', '/api/swarms/ticking')).status, 200)
  const atStop = (await stored()).length
  const clockAtStop = ticks((await api(server, 'GET', '/api/swarms/clock/events?event_type=message_broadcast&limit=1000')).body.events).length
  await clock(clockAtStop + 10, 'ten more clock ticks')
  t.equal((await stored()).length, atStop, 'no tick after the swarm stopped')
})

t.test('tick_ms is validated with its path; a swarm without it has no ticks', async (t) => {
  const server = await startServer(t)
  for (const bad of [5, 20.5, '100', 86_400_001]) {
    const res = await api(server, 'POST', '/api/swarms', { config: { name: 'bad', tick_ms: bad, agents: [mockAgent('a')], topology: [] } })
    t.equal(res.status, 400, `tick_ms ${JSON.stringify(bad)} refused`)
    t.match(JSON.stringify(res.body), /tick_ms: must be an integer from 10 to 86400000/)
  }
  const ok = await api(server, 'POST', '/api/swarms', { config: { name: 'good', tick_ms: 10_000, agents: [mockAgent('a')], topology: [{ from: 'tick', to: 'a' }] } })
  t.equal(ok.status, 201, JSON.stringify(ok.body))
  const snapshot = await api(server, 'POST', '/api/swarms/good/snapshot?format=json')
  t.equal(snapshot.body.config.tick_ms, 10_000, 'kept in the effective config and snapshots')
})
