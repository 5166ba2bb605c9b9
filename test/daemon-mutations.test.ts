import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parse as parseYaml } from 'yaml'
import { cliWorkspace } from './helpers/cli.js'
import { collect, outcome, phoenixSocket, startServer, until } from './helpers/server.js'

// Runtime mutations of a swarm that runs in a daemon process: REST on a server
// beside it and the CLI both reach it through the swarm_commands queue.

const ws = cliWorkspace(t)
writeFileSync(join(ws.dir, 'team.json'), JSON.stringify({
  name: 'team',
  agents: [
    { name: 'lead', backend: { type: 'mock', script: [{ match: '^ask', response: '@helper: please check' }] } },
    { name: 'worker_1', backend: 'mock' },
  ],
  topology: [['lead', 'worker_1']],
}))
const registry = ws.registry()

t.before(async () => {
  const started = await ws.run(['start', 'team.json'])
  if (started.code !== 0) throw new Error(started.stderr)
})
t.teardown(() => ws.run(['stop', 'team']))

t.test('REST mutations of a daemon swarm go through its command queue and push to a joined client', async (t) => {
  const server = await startServer(t, { dbPath: ws.db, cwd: ws.dir })
  const { app } = server
  const socket = phoenixSocket(t, server.socketUrl)
  const channel = socket.channel('swarm:team', {})
  const events = collect(channel, ['event'])
  const pushes = collect(channel, ['agent_added', 'agent_removed', 'topology_changed', 'agent_output', 'message_routed', 'agent_status'])
  t.equal((await outcome(channel.join())).status, 'ok', 'a daemon swarm can be joined')
  await outcome(channel.push('subscribe_events', { filters: { category: 'agent' } }))

  const add = await app.inject({ method: 'POST', url: '/api/swarms/team/agents', payload: { name: 'helper', backend: { type: 'mock', echo: true }, incoming: ['lead'] } })
  t.equal(add.statusCode, 201, add.body)
  t.match(add.json().result, { added: ['helper'], removed: [], failed: [] })
  await until(() => events.some((e) => e.payload.event_type === 'agent_added' && e.payload.agent === 'helper'), 'agent_added relayed from the daemon')

  const task = await app.inject({ method: 'POST', url: '/api/swarms/team/agents/lead/task', payload: { task: 'ask' } })
  t.equal(task.json().queued, true)
  await until(() => events.some((e) => e.payload.event_type === 'agent_output' && e.payload.agent === 'helper'), 'the new agent answers inside the daemon')
  await until(() => pushes.some((p) => p.event === 'agent_output' && p.payload.agent === 'helper'), 'relayed as a live push too')
  t.same(pushes.find((p) => p.event === 'agent_added')!.payload, { name: 'helper', spec: { name: 'helper', backend: { type: 'mock', echo: true }, skills: [], config: {} } })
  t.match(pushes.find((p) => p.event === 'message_routed')!.payload, { swarm: 'team', from: 'lead', to: 'helper', type: 'direct', content_preview: 'please check' })
  t.same(pushes.find((p) => p.event === 'agent_output' && p.payload.agent === 'helper')!.payload, { agent: 'helper', content: 'please check' })
  await until(() => pushes.filter((p) => p.event === 'agent_status' && p.payload.agent === 'helper').length >= 3, 'agent_status relayed')
  t.same(pushes.filter((p) => p.event === 'agent_status' && p.payload.agent === 'helper').map((p) => p.payload.state), ['idle', 'working', 'idle'])

  const patch = await app.inject({ method: 'PATCH', url: '/api/swarms/team/topology', payload: { add: [['helper', 'worker_1']] } })
  t.equal(patch.statusCode, 200, patch.body)
  t.same(patch.json().topology.find((e: { from: string }) => e.from === 'helper').targets, ['worker_1'])

  const bad = await app.inject({ method: 'PATCH', url: '/api/swarms/team/topology', payload: { add: [['helper', 'ghost']] } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().error, /unknown node "ghost"/)

  const routed = await app.inject({ method: 'POST', url: '/api/swarms/team/message', payload: { from: 'helper', to: 'worker_1', content: 'hello' } })
  t.same(routed.json(), { status: 'routed', from: 'helper', to: 'worker_1', swarm: 'team' }, 'a message to a daemon swarm is routed by the daemon')
  const offTopology = await app.inject({ method: 'POST', url: '/api/swarms/team/message', payload: { from: 'worker_1', to: 'helper', content: 'hello' } })
  t.equal(offTopology.statusCode, 400)
  t.equal(offTopology.json().code, 'GS_INVALID_ROUTE')

  const del = await app.inject({ method: 'DELETE', url: '/api/swarms/team/agents/helper' })
  t.equal(del.statusCode, 200, del.body)
  t.same(registry.overlay('team').map((e) => e.op), ['add_agent', 'topology', 'remove_agent'], 'the daemon recorded each change once')
  await until(() => pushes.some((p) => p.event === 'agent_removed'), 'agent_removed relayed')

  // Restarting a daemon swarm over REST relaunches it as a daemon, with its overlay replayed.
  const before = registry.get('team')!.pid
  const restarted = await app.inject({ method: 'POST', url: '/api/swarms/team/restart' })
  t.equal(restarted.statusCode, 200, restarted.body)
  t.match(restarted.json(), { status: 'restarted', swarm_name: 'team', source: 'daemon', agents: ['lead', 'worker_1'] })
  const after = registry.get('team')!
  t.equal(after.status, 'running')
  t.not(after.pid, before, 'a new daemon process')
  t.equal(after.pid, restarted.json().pid)
  t.not(after.pid, process.pid, 'not inside the server')
  t.equal((await app.inject({ method: 'GET', url: '/api/swarms/team' })).json().source, 'daemon')
  t.same(pushes.find((p) => p.event === 'agent_removed')!.payload, { name: 'helper' })
  t.ok(pushes.filter((p) => p.event === 'topology_changed').length >= 2, 'topology_changed relayed for each edge change')
  const status = (await app.inject({ method: 'GET', url: '/api/swarms/team' })).json()
  t.same(status.agents.map((a: { name: string }) => a.name), ['lead', 'worker_1'])
})

t.test('CLI scale, overlay and snapshot against the daemon', async (t) => {
  const up = await ws.run(['scale', 'team', 'worker', '3', '--json'])
  t.equal(up.code, 0, up.stderr)
  t.same(JSON.parse(up.stdout).result, { added: ['worker_2', 'worker_3'], removed: [], failed: [] })

  const status = JSON.parse((await ws.run(['status', 'team', '--json'])).stdout)
  t.same(status.agents.map((a: { name: string }) => a.name), ['lead', 'worker_1', 'worker_2', 'worker_3'])

  const overlay = await ws.run(['overlay', 'team'])
  t.equal(overlay.code, 0)
  t.match(overlay.stdout, /scale \{"base":"worker","count":3\}/)

  const snap = await ws.run(['snapshot', 'team', '-o', 'team-now.yaml'])
  t.equal(snap.code, 0, snap.stderr)
  const saved = parseYaml(readFileSync(join(ws.dir, 'team-now.yaml'), 'utf8'))
  t.same(saved.agents.map((a: { name: string }) => a.name), ['lead', 'worker_1', 'worker_2', 'worker_3'])

  const bad = await ws.run(['scale', 'team', 'worker', '-2'])
  t.not(bad.code, 0)
  t.match(bad.stderr, /count/)
  const unknown = await ws.run(['scale', 'nope', 'worker', '2'])
  t.not(unknown.code, 0)
  t.match(unknown.stderr, /nope/)

  // The snapshot starts as a swarm of its own with the same shape.
  const copy = { ...saved, name: 'team-copy' }
  writeFileSync(join(ws.dir, 'team-copy.json'), JSON.stringify(copy))
  const started = await ws.run(['start', 'team-copy.json'])
  t.equal(started.code, 0, started.stderr)
  t.teardown(() => ws.run(['stop', 'team-copy']))
  const copyStatus = JSON.parse((await ws.run(['status', 'team-copy', '--json'])).stdout)
  t.same(copyStatus.topology, status.topology)

  // Stop and start again: the overlay replays, the members are back.
  t.equal((await ws.run(['stop', 'team'])).code, 0)
  t.equal((await ws.run(['start', 'team.json'])).code, 0)
  const again = JSON.parse((await ws.run(['status', 'team', '--json'])).stdout)
  t.same(again.agents.map((a: { name: string }) => a.name), ['lead', 'worker_1', 'worker_2', 'worker_3'])

  const down = await ws.run(['scale', 'team', 'worker', '1', '--json'])
  t.same(JSON.parse(down.stdout).result.removed, ['worker_2', 'worker_3'])
  const cleared = await ws.run(['overlay', 'team', '--clear', '--json'])
  t.same(JSON.parse(cleared.stdout), { status: 'cleared', swarm: 'team', removed: 5 }, 'three REST changes and two scales')
})
