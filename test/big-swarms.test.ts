import t from 'tap'
import { topics } from '../lib/pubsub/index.js'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { startServer } from './helpers/server.js'

// Big swarms: a wildcard mesh routes like the edges it stands for, status and
// list keep their shapes (and their size follows the nodes, not the edges), a
// list reads no config, and a big start leaves the server answering.

const agents = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `a${i + 1}`, backend: 'mock' }))

async function json(res: Response): Promise<any> {
  return res.json()
}

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

t.test('a 300-agent ["*", "*"] mesh lets every pair through and states its targets as "*"', async (t) => {
  const server = await startServer(t)
  const n = 300
  t.equal((await post(`${server.http}/api/swarms`, { config: { name: 'mesh', agents: agents(n), topology: [['*', '*']] } })).status, 201)

  const manager = server.app.swarmManager
  let refused = 0
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= n; j++) {
      if (i !== j && !manager.swarm('mesh').router.allows(`a${i}`, `a${j}`)) refused++
    }
  }
  t.equal(refused, 0, 'every ordered pair of distinct agents has an edge')
  t.notOk(manager.swarm('mesh').router.allows('a1', 'a1'), 'no self-edge')
  const routed = await post(`${server.http}/api/swarms/mesh/message`, { from: 'a17', to: 'a300', content: 'hi' })
  t.equal(routed.status, 200)
  t.same(await json(routed), { status: 'routed', from: 'a17', to: 'a300', swarm: 'mesh' })

  const status = await json(await fetch(`${server.http}/api/swarms/mesh`))
  t.same(Object.keys(status).sort(), ['agents', 'budget', 'config_path', 'message_count', 'name', 'objects', 'pending_tasks', 'pid', 'source', 'started_at', 'status', 'tokens', 'topology'])
  t.equal(status.agents.length, n)
  t.same(status.agents[0].targets, ['*'], 'an agent status inside the swarm status keeps the wildcard')
  t.same(status.topology[299], { from: 'a300', targets: ['*'] })
  t.same(Object.keys(status.agents[0]).sort(), ['backend', 'budget', 'inbox', 'model', 'name', 'pid', 'skills', 'spec', 'state', 'targets', 'tokens'])

  const one = await json(await fetch(`${server.http}/api/swarms/mesh/agents/a5`))
  t.same(one.targets, ['*'], 'the agent resource states its targets the same way')
  const expanded = manager.swarm('mesh').router.targets('a5')
  t.equal(expanded.length, n - 1, 'where a list of names is needed (broadcast, {{targets}}), "*" is every other node')
  t.notOk(expanded.includes('a5'))
  t.ok(expanded.includes('a300'))

  // Stopped, the swarm answers from its registry row: the same stated form.
  t.equal((await fetch(`${server.http}/api/swarms/mesh`, { method: 'DELETE' })).status, 200)
  const stored = await json(await fetch(`${server.http}/api/swarms/mesh`))
  t.equal(stored.source, 'daemon')
  t.same(stored.topology[0], { from: 'a1', targets: ['*'] })
  const list = await json(await fetch(`${server.http}/api/swarms`))
  t.match(list.swarms, [{ name: 'mesh', status: 'stopped', agents: n }])
})

t.test('outside a mesh, wildcards cover only their own rules and non-edges are refused', async (t) => {
  const server = await startServer(t)
  const config = {
    name: 'star',
    agents: [...agents(4), { name: 'hub', backend: 'mock' }, { name: 'sink', backend: 'mock' }],
    topology: [['hub', '*'], ['*', 'sink'], ['a1', 'a2']],
  }
  t.equal((await post(`${server.http}/api/swarms`, { config })).status, 201)
  const router = server.app.swarmManager.swarm('star').router
  t.ok(router.allows('hub', 'a3'), 'hub → every node')
  t.ok(router.allows('a4', 'sink'), 'every node → sink')
  t.ok(router.allows('a1', 'a2'), 'a spelled-out edge')
  t.notOk(router.allows('a2', 'a1'), 'no edge back')
  t.notOk(router.allows('a3', 'hub'), 'the hub takes nothing')
  t.notOk(router.allows('sink', 'sink'), 'no self-edge through a wildcard')
  t.same(router.targets('hub').sort(), ['a1', 'a2', 'a3', 'a4', 'sink'])
  t.same(router.targets('a1'), ['a2', 'sink'])

  const refused = await post(`${server.http}/api/swarms/star/message`, { from: 'a2', to: 'a1', content: 'x' })
  t.equal(refused.status, 400)
  t.match(await json(refused), { code: 'GS_INVALID_ROUTE' })
  const status = await json(await fetch(`${server.http}/api/swarms/star`))
  t.same(status.topology.find((e: { from: string }) => e.from === 'hub'), { from: 'hub', targets: ['*', 'sink'] })
  t.same(status.topology.find((e: { from: string }) => e.from === 'a1'), { from: 'a1', targets: ['a2', 'sink'] })

  // An agent added later is inside the wildcards.
  t.equal((await post(`${server.http}/api/swarms/star/agents`, { name: 'late', backend: 'mock' })).status, 201)
  t.ok(router.allows('hub', 'late'))
  t.ok(router.allows('late', 'sink'))
})

t.test('a "*" end is checked like a node name: no unknown nodes, no self-edge, a mesh is no self-edge', async (t) => {
  const server = await startServer(t)
  const check = async (topology: unknown) => json(await post(`${server.http}/api/config/validate`, { config: { name: 'v', agents: agents(2), topology } }))
  t.match(await check([['*', '*']]), { valid: true })
  t.match(await check([['a1', '*'], ['*', 'a2']]), { valid: true })
  t.match(await check([['*', 'ghost']]), { valid: false, errors: ['topology[0]: unknown node "ghost"'] })
  t.match(await check([['a1', 'a2'], ['a1', 'a1'], { from: 'a2' }]), { valid: false, errors: ['topology[1]: self-edge "a1" -> "a1" is not allowed', 'topology[2].to: required'] })
})

t.test('the list reads no config: a row whose stored config is unreadable still lists with its agent count', async (t) => {
  const server = await startServer(t)
  await server.app.swarmManager.start(swarmConfig('broken', [mockAgent('a'), mockAgent('b'), mockAgent('c')]))
  await server.app.swarmManager.stop('broken')
  server.app.engine.database.sqlite.prepare("UPDATE swarms SET config = '{not json' WHERE name = 'broken'").run()
  const res = await fetch(`${server.http}/api/swarms`)
  t.equal(res.status, 200)
  t.match((await json(res)).swarms, [{ name: 'broken', status: 'stopped', source: 'daemon', agents: 3 }])
})

t.test('while 2,000 agents start, the server answers a REST request', async (t) => {
  const server = await startServer(t)
  const order: string[] = []
  let answered: Promise<void> | null = null
  // Asked once the start is under way (its first agent is up), answered before the start ends.
  const unsubscribe = server.app.pubsub.subscribe(topics.events('many'), (msg) => {
    if (answered || (msg.payload as { event_type?: string }).event_type !== 'agent_started') return
    answered = fetch(`${server.http}/api/swarms`).then(async (res) => {
      t.equal(res.status, 200)
      await res.json()
      order.push('list answered')
    })
  })
  t.teardown(unsubscribe)
  const started = await post(`${server.http}/api/swarms`, { config: { name: 'many', agents: agents(2000) } })
  order.push('start answered')
  t.equal(started.status, 201)
  t.ok(answered, 'the list was asked during the start')
  await answered
  t.same(order, ['list answered', 'start answered'])
  t.equal((await json(await fetch(`${server.http}/api/swarms/many`))).agents.length, 2000)
})
