import t from 'tap'
import { serializeConfig, validateConfig } from '../lib/config/validate.js'
import { errors, GenswarmsError } from '../lib/errors.js'
import { applyMutation } from '../lib/swarm/mutations.js'
import { topics, type PubSubMessage } from '../lib/pubsub/index.js'
import { mockAgent, swarmConfig, testEngine, waitFor } from './helpers/engine.js'

const worker = (name: string) => mockAgent(name, [{ match: 'ping', response: '@lead: pong from ' + name }])
const lead = () => mockAgent('lead', [{ match: '^go', response: '@all: ping' }, { match: '^direct', response: '@newbie: ping' }])

function recorder(engine: ReturnType<typeof testEngine>, swarm: string) {
  const seen: PubSubMessage[] = []
  engine.pubsub.subscribe(topics.swarm(swarm), (m) => seen.push(m))
  return seen
}

t.test('add, remove and topology edits publish, record and take effect', async (t) => {
  const engine = testEngine(t)
  const m = engine.swarmManager
  await m.start(swarmConfig('mut', [lead(), worker('w')], [['lead', 'w'], ['w', 'lead']]))
  const seen = recorder(engine, 'mut')

  m.sendTask('mut', 'lead', 'direct')
  await waitFor(() => engine.eventStore.query({ swarm: 'mut', event_type: 'invalid_route' })[0], 'route to newbie denied before the edge exists')

  const added = await m.mutate('mut', { op: 'add_agent', spec: { name: 'newbie', backend: 'mock', config: { script: [{ match: 'ping', response: 'hi' }] } }, incoming: ['lead'] })
  t.same(added, { added: ['newbie'], removed: [], failed: [], overlay_seq: 1 })
  t.same(seen.map((s) => s.event), ['agent_added', 'topology_changed'])
  t.same(seen[0]!.payload, { name: 'newbie', spec: { name: 'newbie', backend: { type: 'mock', script: [{ match: 'ping', response: 'hi' }] }, skills: [], config: {} } })
  t.equal(m.agentStatus('mut', 'newbie').state, 'idle')

  m.sendTask('mut', 'lead', 'direct')
  await waitFor(() => m.history('mut', 'newbie').some((h) => h.direction === 'out'), 'route delivered once the edge exists')

  await m.mutate('mut', { op: 'topology', remove: [['w', 'lead']], add: [{ from: 'newbie', to: 'w' }] })
  t.same(seen.at(-1), { event: 'topology_changed', payload: {} })
  t.same(m.status('mut').topology, [
    { from: 'lead', targets: ['w', 'newbie'] }, { from: 'w', targets: [] }, { from: 'newbie', targets: ['w'] },
  ])

  await m.mutate('mut', { op: 'remove_agent', name: 'w' })
  t.same(seen.slice(-2).map((s) => s.event), ['agent_removed', 'topology_changed'])
  t.same(seen.at(-2)!.payload, { name: 'w' })
  t.throws(() => m.agentStatus('mut', 'w'), { code: 'GS_AGENT_NOT_FOUND' })
  t.same(m.overlay('mut').map((e) => e.op), ['add_agent', 'topology', 'remove_agent'])
  t.ok(engine.eventStore.query({ swarm: 'mut', event_type: 'agent_added' }).length === 1)
  t.ok(engine.eventStore.query({ swarm: 'mut', event_type: 'agent_removed' }).length === 1)
  t.ok(engine.eventStore.query({ swarm: 'mut', event_type: 'topology_changed' }).length === 3)

  // Restart: the overlay replays over the seed config.
  const before = m.status('mut')
  await m.stop('mut')
  await m.start(swarmConfig('mut', [lead(), worker('w')], [['lead', 'w'], ['w', 'lead']]))
  const after = m.status('mut')
  t.same(after.agents.map((a) => a.name), before.agents.map((a) => a.name))
  t.same(after.topology, before.topology)
})

t.test('scale a group up and down; the overlay brings members back after a restart', async (t) => {
  const engine = testEngine(t)
  const m = engine.swarmManager
  const seed = swarmConfig('grp', [lead(), worker('worker_1')], [['lead', 'worker_1'], ['worker_1', 'lead']])
  await m.start(seed)
  const up = await m.mutate('grp', { op: 'scale', base: 'worker', count: 3 })
  t.same(up.added, ['worker_2', 'worker_3'])
  t.same(m.status('grp').topology.find((e) => e.from === 'lead')!.targets, ['worker_1', 'worker_2', 'worker_3'], 'clones take the template edges')
  t.same(m.status('grp').topology.find((e) => e.from === 'worker_3')!.targets, ['lead'])

  m.sendTask('grp', 'lead', 'go')
  await waitFor(() => m.history('grp', 'lead').filter((h) => h.direction === 'in' && h.kind === 'message').length === 3, 'three pongs')

  await m.stop('grp')
  await m.start(seed)
  t.same(m.status('grp').agents.map((a) => a.name), ['lead', 'worker_1', 'worker_2', 'worker_3'], 'three members are back')

  const down = await m.mutate('grp', { op: 'scale', base: 'worker', count: 1 })
  t.same(down.removed, ['worker_2', 'worker_3'])
  t.same(m.status('grp').agents.map((a) => a.name), ['lead', 'worker_1'])
  await m.stop('grp')
  await m.start(seed)
  t.same(m.status('grp').agents.map((a) => a.name), ['lead', 'worker_1'], 'scale-down survives a restart')
})

t.test('invalid mutations leave the swarm, the overlay and the snapshot unchanged', async (t) => {
  const engine = testEngine(t)
  const m = engine.swarmManager
  await m.start(swarmConfig('inv', [lead(), worker('w')], [['lead', 'w']]))
  await m.mutate('inv', { op: 'scale', base: 'w', count: 2 })
  const snapshot = JSON.stringify(m.effectiveConfig('inv'))
  const overlay = JSON.stringify(m.overlay('inv'))
  const status = JSON.stringify(m.status('inv').topology)
  const seen = recorder(engine, 'inv')
  const bad = [
    { op: 'add_agent', spec: { name: 'w', backend: 'mock' } },
    { op: 'add_agent', spec: { name: 'fresh', backend: 'mock' }, connections: ['ghost'] },
    { op: 'add_agent', spec: { name: 'bad name', backend: 'nope' } },
    { op: 'remove_agent', name: 'ghost' },
    { op: 'topology', add: [['lead', 'ghost']] },
    { op: 'topology', remove: [['w', 'lead']] },
    { op: 'topology' },
    { op: 'scale', base: 'w', count: -1 },
    { op: 'scale', base: 'w', count: 1.5 },
    { op: 'scale', base: 'nobody', count: 2 },
    { op: 'explode' },
  ]
  for (const mutation of bad) {
    await t.rejects(m.mutate('inv', mutation as never), { code: 'GS_INVALID_MUTATION' }, JSON.stringify(mutation))
  }
  await t.rejects(m.mutate('ghost-swarm', { op: 'remove_agent', name: 'x' }), { code: 'GS_SWARM_NOT_FOUND' })
  t.equal(JSON.stringify(m.effectiveConfig('inv')), snapshot)
  t.equal(JSON.stringify(m.overlay('inv')), overlay)
  t.equal(JSON.stringify(m.status('inv').topology), status)
  t.same(seen, [], 'nothing was published')
})

t.test('a refused mutation lists every problem, with the status its kind calls for', async (t) => {
  const config = swarmConfig('ref', [lead(), worker('w')], [['lead', 'w']])
  const refusal = (mutation: unknown) => {
    try {
      applyMutation(config, mutation as never)
    } catch (err) {
      return err as GenswarmsError
    }
    throw new Error('applied')
  }
  const bad = refusal({ op: 'scale', base: '', count: -1 })
  t.ok(bad instanceof GenswarmsError)
  t.equal(bad.code, errors.invalidMutation.code)
  t.equal(bad.code, 'GS_INVALID_MUTATION')
  t.equal(bad.statusCode, 400)
  t.equal(bad.reason, ':invalid_mutation')
  t.same(bad.details, ['base: must be an agent group name', 'count: must be an integer from 0 to 100, got -1'])
  t.equal(bad.message, 'base: must be an agent group name; count: must be an integer from 0 to 100, got -1')
  const missing = refusal({ op: 'remove_agent', name: 'ghost' })
  t.equal(missing.statusCode, 404, 'a missing target is a 404')
  t.equal(missing.code, 'GS_INVALID_MUTATION')
  t.same(missing.details, ['name: no agent named "ghost" in swarm "ref"'])
})

t.test('snapshot round trip: start from the snapshot, same agents and topology', async (t) => {
  const engine = testEngine(t)
  const m = engine.swarmManager
  await m.start(swarmConfig('snap', [lead(), worker('w_1')], [['lead', 'w_1']]))
  await m.mutate('snap', { op: 'scale', base: 'w', count: 2 })
  await m.mutate('snap', { op: 'add_agent', spec: { name: 'extra', backend: { type: 'mock', echo: true }, model: 'm1', skills: ['a.md'] }, connections: ['lead'] })
  const snapshot = JSON.parse(JSON.stringify(serializeConfig(m.effectiveConfig('snap'))))
  const reparsed = validateConfig({ ...snapshot, name: 'snap-copy' })
  t.ok(reparsed.ok, 'the snapshot is a valid config')
  if (!reparsed.ok) return
  await m.start(reparsed.config)
  const a = m.swarm('snap').status(), b = m.swarm('snap-copy').status()
  t.same(b.agents.map((x) => [x.name, x.backend, x.model, x.skills]), a.agents.map((x) => [x.name, x.backend, x.model, x.skills]))
  t.same(b.topology, a.topology)
})
