import t from 'tap'
import { parse as parseYaml } from 'yaml'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { collect, outcome, phoenixSocket, startServer, until } from './helpers/server.js'

const seed = () =>
  swarmConfig('crew', [
    mockAgent('lead', [{ match: '^ask', response: '@helper: can you check?' }, { match: '^all', response: '@all: status?' }]),
    mockAgent('worker_1', [{ match: 'status', response: 'fine' }]),
  ], [['lead', 'worker_1']])

t.test('mutations over REST push agent_added, agent_removed, topology_changed to a joined phoenix client', async (t) => {
  const server = await startServer(t)
  const { app } = server
  await app.swarmManager.start(seed())
  const socket = phoenixSocket(t, server.socketUrl)
  const channel = socket.channel('swarm:crew', {})
  const pushes = collect(channel, ['agent_added', 'agent_removed', 'topology_changed', 'agent_output'])
  t.equal((await outcome(channel.join())).status, 'ok')

  await app.inject({ method: 'POST', url: '/api/swarms/crew/agents/lead/task', payload: { task: 'ask' } })
  await until(() => app.eventStore.query({ swarm: 'crew', event_type: 'invalid_route' }).length === 1, 'route to helper denied')

  const add = await app.inject({
    method: 'POST', url: '/api/swarms/crew/agents',
    payload: { name: 'helper', backend: { type: 'mock', script: [{ match: 'check', response: 'checked' }] }, incoming: ['lead'] },
  })
  t.equal(add.statusCode, 201, add.body)
  t.match(add.json(), { status: 'added', agent: 'helper', result: { added: ['helper'], removed: [], failed: [] } })
  await until(() => pushes.some((p) => p.event === 'topology_changed'), 'pushes after add')
  t.same(pushes.find((p) => p.event === 'agent_added')!.payload, {
    name: 'helper', spec: { name: 'helper', backend: { type: 'mock', script: [{ match: 'check', response: 'checked' }] }, skills: [], config: {} },
  })

  await app.inject({ method: 'POST', url: '/api/swarms/crew/agents/lead/task', payload: { task: 'ask' } })
  await until(() => pushes.some((p) => p.event === 'agent_output' && p.payload.agent === 'helper'), 'the route denied before is delivered after the edge exists')

  pushes.length = 0
  const patch = await app.inject({ method: 'PATCH', url: '/api/swarms/crew/topology', payload: { add: [['helper', 'lead']], remove: [{ from: 'lead', to: 'worker_1' }] } })
  t.equal(patch.statusCode, 200, patch.body)
  t.same(patch.json().topology, [{ from: 'lead', targets: ['helper'] }, { from: 'worker_1', targets: [] }, { from: 'helper', targets: ['lead'] }])
  await until(() => pushes.length === 1, 'topology_changed')
  t.same(pushes, [{ event: 'topology_changed', payload: {} }])

  const del = await app.inject({ method: 'DELETE', url: '/api/swarms/crew/agents/helper' })
  t.equal(del.statusCode, 200, del.body)
  await until(() => pushes.some((p) => p.event === 'agent_removed'), 'agent_removed')
  t.same(pushes.find((p) => p.event === 'agent_removed')!.payload, { name: 'helper' })
  const topo = await app.inject({ method: 'GET', url: '/api/swarms/crew/topology' })
  t.same(topo.json(), { swarm: 'crew', topology: [{ from: 'lead', targets: [] }, { from: 'worker_1', targets: [] }] })
})

t.test('scale, overlay and snapshot over REST; restart brings the members back', async (t) => {
  const server = await startServer(t)
  const { app } = server
  await app.swarmManager.start(seed())
  const up = await app.inject({ method: 'POST', url: '/api/swarms/crew/agents/worker/scale', payload: { count: 3 } })
  t.equal(up.statusCode, 200, up.body)
  t.same(up.json(), { status: 'ok', result: { added: ['worker_2', 'worker_3'], removed: [], failed: [] } })

  const overlay = await app.inject({ method: 'GET', url: '/api/swarms/crew/overlay' })
  t.same(overlay.json().overlay.map((e: { op: string; payload: unknown }) => [e.op, e.payload]), [['scale', { base: 'worker', count: 3 }]])

  const snap = await app.inject({ method: 'POST', url: '/api/swarms/crew/snapshot?format=yaml' })
  t.equal(snap.statusCode, 200)
  const fromYaml = parseYaml(snap.json().content)
  t.same(fromYaml.agents.map((a: { name: string }) => a.name), ['lead', 'worker_1', 'worker_2', 'worker_3'])
  const validate = await app.inject({ method: 'POST', url: '/api/config/validate', payload: { content: snap.json().content, format: 'yaml' } })
  t.equal(validate.statusCode, 200, 'the snapshot is a valid config')

  const restart = await app.inject({ method: 'POST', url: '/api/swarms/crew/restart' })
  t.equal(restart.statusCode, 200, restart.body)
  const status = await app.inject({ method: 'GET', url: '/api/swarms/crew' })
  t.same(status.json().agents.map((a: { name: string }) => a.name), ['lead', 'worker_1', 'worker_2', 'worker_3'], 'members are back after a restart')

  const down = await app.inject({ method: 'POST', url: '/api/swarms/crew/agents/worker/scale', payload: { count: 1 } })
  t.same(down.json().result.removed, ['worker_2', 'worker_3'])
  t.same((await app.inject({ method: 'GET', url: '/api/swarms/crew/agents' })).json().agents.map((a: { name: string }) => a.name), ['lead', 'worker_1'])

  const cleared = await app.inject({ method: 'DELETE', url: '/api/swarms/crew/overlay' })
  t.same(cleared.json(), { status: 'cleared', swarm: 'crew', removed: 2 })
})

t.test('invalid mutations over REST: clear errors, nothing changes', async (t) => {
  const server = await startServer(t)
  const { app } = server
  await app.swarmManager.start(seed())
  const snapshotBefore = (await app.inject({ method: 'POST', url: '/api/swarms/crew/snapshot' })).json().content
  const cases: [string, string, unknown, number, RegExp][] = [
    ['POST', '/api/swarms/crew/agents', { name: 'lead', backend: 'mock' }, 400, /duplicate name "lead"/],
    ['POST', '/api/swarms/crew/agents', { name: 'x', backend: 'mock', connections: ['ghost'] }, 400, /unknown node "ghost"/],
    ['POST', '/api/swarms/crew/agents', { backend: 'mock' }, 400, /name/],
    ['DELETE', '/api/swarms/crew/agents/ghost', undefined, 404, /ghost/],
    ['PATCH', '/api/swarms/crew/topology', { add: [['lead', 'ghost']] }, 400, /unknown node "ghost"/],
    ['PATCH', '/api/swarms/crew/topology', { remove: [['worker_1', 'lead']] }, 400, /no edge worker_1 → lead/],
    ['PATCH', '/api/swarms/crew/topology', { add: 'lead->x' }, 400, /add/],
    ['POST', '/api/swarms/crew/agents/worker/scale', { count: -1 }, 400, /count/],
    ['POST', '/api/swarms/crew/agents/nobody/scale', { count: 2 }, 404, /nobody/],
    ['POST', '/api/swarms/ghost/agents/worker/scale', { count: 2 }, 404, /ghost/],
  ]
  for (const [method, url, payload, status, message] of cases) {
    const res = await app.inject({ method: method as 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) })
    t.equal(res.statusCode, status, `${method} ${url} ${JSON.stringify(payload)} → ${res.body}`)
    t.match(res.json().error, message)
  }
  t.same((await app.inject({ method: 'GET', url: '/api/swarms/crew/overlay' })).json().overlay, [])
  t.equal((await app.inject({ method: 'POST', url: '/api/swarms/crew/snapshot' })).json().content, snapshotBefore)
})
