import t, { type Test } from 'tap'
import type { SwarmEvent } from '../lib/events/types.js'
import { localAgent, mockAgent, swarmConfig } from './helpers/engine.js'
import { eventually, restApp, type RestApp } from './helpers/rest-app.js'

/**
 * A scripted swarm that produces every kind of event: a routed message, an
 * off-topology message (warning), a local agent that crashes (error), and a
 * second swarm to filter against.
 */
async function scriptedRun(t: Test): Promise<RestApp> {
  const rest = await restApp(t)
  const { call } = rest
  await call('POST', '/api/swarms', {
    config: swarmConfig(
      'alpha',
      [
        mockAgent('alice', [{ match: '^go', response: 'on it\n@bob: review this\n@carol: psst' }]),
        mockAgent('bob', [{ match: 'review', response: 'looks good' }]),
        mockAgent('carol'),
        localAgent('proc'),
      ],
      [['alice', 'bob']],
    ),
  })
  await call('POST', '/api/swarms', { config: swarmConfig('beta', [mockAgent('solo', [{ match: '.', response: 'beta says hi' }])]) })
  await call('POST', '/api/swarms/alpha/agents/alice/task', { task: 'go' })
  await call('POST', '/api/swarms/alpha/agents/proc/task', { task: 'crash please' })
  await call('POST', '/api/swarms/beta/agents/solo/task', { task: 'hello' })
  await eventually(async () => {
    const types = (await call('GET', '/api/events?limit=1000')).body.events.map((e: SwarmEvent) => e.event_type)
    return types.includes('agent_error') && types.filter((x: string) => x === 'agent_output').length >= 3
  }, 'the scripted run to finish')
  return rest
}

const events = (body: { events: SwarmEvent[] }) => body.events

t.test('GET /api/events: every filter, newest first, with a count', async (t) => {
  const { call } = await scriptedRun(t)
  const all = await call('GET', '/api/events?limit=1000')
  t.equal(all.status, 200)
  t.equal(all.body.count, all.body.events.length)
  const ids = events(all.body).map((e) => e.id)
  t.same(ids, [...ids].sort((a, b) => b - a), 'newest first')
  t.same(new Set(events(all.body).map((e) => e.swarm)), new Set(['alpha', 'beta']))

  const warnings = events((await call('GET', '/api/events?level=warning')).body)
  t.same(warnings.map((e) => [e.event_type, e.agent, e.metadata.to]), [['invalid_route', 'alice', 'carol']], 'level=warning: the dropped message')
  const errors = events((await call('GET', '/api/events?level=error')).body)
  t.same(errors.map((e) => [e.event_type, e.agent]), [['agent_error', 'proc']], 'level=error: the crash')

  const routing = events((await call('GET', '/api/events?category=routing')).body)
  t.ok(routing.length >= 2)
  t.ok(routing.every((e) => e.category === 'routing'))
  t.same(new Set(routing.map((e) => e.event_type)), new Set(['message_routed', 'invalid_route']))

  const routed = events((await call('GET', '/api/events?event_type=message_routed')).body)
  t.same(routed.map((e) => [e.metadata.from, e.metadata.to]), [['alice', 'bob']])

  const beta = events((await call('GET', '/api/events?swarm=beta')).body)
  t.ok(beta.length > 0 && beta.every((e) => e.swarm === 'beta'), 'swarm=beta')
  const bob = events((await call('GET', '/api/events?agent=bob')).body)
  t.ok(bob.length > 0 && bob.every((e) => e.agent === 'bob'), 'agent=bob')
  t.ok(bob.some((e) => e.event_type === 'agent_output' && e.message === 'looks good'))

  const combined = events((await call('GET', '/api/events?swarm=alpha&category=agent&event_type=agent_output&level=info')).body)
  t.same(new Set(combined.map((e) => e.agent)), new Set(['alice', 'bob']), 'filters combine')

  const two = events((await call('GET', '/api/events?limit=2')).body)
  t.same(two.map((e) => e.id), ids.slice(0, 2), 'limit keeps the newest')
})

t.test('minutes filters by age; limits are capped at 1000', async (t) => {
  const { app, call } = await restApp(t)
  const hoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString()
  app.engine.spine.emit({ swarm: 'aged', event_type: 'swarm_started', message: 'long ago', timestamp: hoursAgo })
  app.engine.spine.emit({ swarm: 'aged', event_type: 'swarm_stopped', message: 'just now' })
  t.same(events((await call('GET', '/api/events?swarm=aged&minutes=60')).body).map((e) => e.message), ['just now'])
  t.same(events((await call('GET', '/api/events?swarm=aged&minutes=180')).body).map((e) => e.message), ['just now', 'long ago'])
  t.same(events((await call('GET', '/api/events?swarm=aged&minutes=0.5')).body).map((e) => e.message), ['just now'], 'fractional minutes')

  for (let i = 0; i < 1005; i++) app.engine.spine.emit({ swarm: 'bulk', event_type: 'task_sent', message: `t${i}` })
  const capped = await call('GET', '/api/events?swarm=bulk&limit=5000')
  t.equal(capped.status, 200)
  t.equal(capped.body.count, 1000, 'capped at 1000')
  t.equal(capped.body.events[0].message, 't1004')
  t.equal((await call('GET', '/api/events?swarm=bulk')).body.count, 100, 'default 100')
})

t.test('events filters: bad values are 400s naming the parameter', async (t) => {
  const { call } = await restApp(t)
  const cases: [string, string][] = [
    ['level=loud', 'querystring/level must be one of debug, info, warning, error'],
    ['category=misc', 'querystring/category must be one of swarm, agent, object, routing, backend, system'],
    ['minutes=-5', 'querystring/minutes must be > 0'],
    ['minutes=soon', 'querystring/minutes must be number'],
    ['limit=0', 'querystring/limit must be >= 1'],
    ['limit=2.5', 'querystring/limit must be integer'],
    ['levle=error', 'querystring/levle is not allowed'],
  ]
  for (const [query, error] of cases) {
    const res = await call('GET', `/api/events?${query}`)
    t.equal(res.status, 400, query)
    t.same(res.body, { error, code: 'GS_INVALID_INPUT' })
  }
})

t.test('per-swarm and per-agent events routes: path scoping, filters, 404s', async (t) => {
  const { call } = await scriptedRun(t)
  const alpha = events((await call('GET', '/api/swarms/alpha/events?limit=1000')).body)
  t.ok(alpha.length > 0 && alpha.every((e) => e.swarm === 'alpha'))
  const alphaWarnings = events((await call('GET', '/api/swarms/alpha/events?level=warning')).body)
  t.same(alphaWarnings.map((e) => e.event_type), ['invalid_route'])
  t.same(events((await call('GET', '/api/swarms/beta/events?level=warning')).body), [], 'beta had none')

  const bob = events((await call('GET', '/api/swarms/alpha/agents/bob/events')).body)
  t.ok(bob.length > 0 && bob.every((e) => e.swarm === 'alpha' && e.agent === 'bob'))
  const bobOutput = events((await call('GET', '/api/swarms/alpha/agents/bob/events?event_type=agent_output')).body)
  t.same(bobOutput.map((e) => e.message), ['looks good'])
  const procErrors = events((await call('GET', '/api/swarms/alpha/agents/proc/events?level=error&category=agent')).body)
  t.equal(procErrors.length, 1)

  t.equal((await call('GET', '/api/swarms/ghost/events')).status, 404)
  t.equal((await call('GET', '/api/swarms/alpha/agents/ghost/events')).status, 404)
  const overridden = await call('GET', '/api/swarms/alpha/events?swarm=beta')
  t.same(overridden.body, { error: 'querystring/swarm is not allowed', code: 'GS_INVALID_INPUT' }, 'the path fixes the swarm')

  // Events outlive the swarm: after a stop and clean they are still readable by name.
  await call('DELETE', '/api/swarms/beta')
  await call('POST', '/api/swarms/clean')
  t.equal((await call('GET', '/api/swarms/beta')).status, 404)
  const kept = await call('GET', '/api/swarms/beta/events?event_type=agent_output')
  t.equal(kept.status, 200)
  t.same(events(kept.body).map((e) => e.message), ['beta says hi'])
})
