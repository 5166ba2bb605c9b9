import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { cliWorkspace } from './helpers/cli.js'
import { LOCAL_AGENT } from './helpers/engine.js'
import { collect, outcome, phoenixSocket, startServer, until } from './helpers/server.js'

// Pause and resume through REST, the official phoenix client, the CLI and a daemon.

const local = (name: string) => ({ name, backend: { type: 'local', command: [process.execPath, LOCAL_AGENT] } })
const team = { name: 'team', agents: [local('lead'), local('dev')], topology: [['lead', 'dev']] }

t.test('in process: a paused swarm queues tasks and messages, a turn in progress finishes, resume runs them in order', async (t) => {
  const server = await startServer(t)
  const { app } = server
  const started = await app.inject({ method: 'POST', url: '/api/swarms', payload: { config: team } })
  t.equal(started.statusCode, 201, started.body)

  const socket = phoenixSocket(t, server.socketUrl)
  const channel = socket.channel('swarm:team', {})
  const pushes = collect(channel, ['swarm_paused', 'swarm_resumed', 'agent_output', 'agent_status'])
  t.equal((await outcome(channel.join())).status, 'ok')
  const outputs = (agent: string) => pushes.filter((p) => p.event === 'agent_output' && p.payload.agent === agent).map((p) => p.payload.content as string)

  await app.inject({ method: 'POST', url: '/api/swarms/team/agents/lead/task', payload: { task: 'slow first' } })
  await until(() => pushes.some((p) => p.event === 'agent_status' && p.payload.agent === 'lead' && p.payload.state === 'working'), 'lead working')
  const paused = await app.inject({ method: 'POST', url: '/api/swarms/team/pause' })
  t.same(paused.json(), { swarm: 'team', status: 'paused', changed: true })
  t.same((await app.inject({ method: 'POST', url: '/api/swarms/team/pause' })).json(), { swarm: 'team', status: 'paused', changed: false }, 'pausing twice changes nothing')

  for (const n of [1, 2, 3]) {
    const sent = await app.inject({ method: 'POST', url: '/api/swarms/team/agents/lead/task', payload: { task: `task ${n}` } })
    t.equal(sent.statusCode, 200, 'accepted while paused')
  }
  const msg = await app.inject({ method: 'POST', url: '/api/swarms/team/message', payload: { from: 'lead', to: 'dev', content: 'hello dev' } })
  t.equal(msg.statusCode, 200, msg.body)

  await until(() => outputs('lead').length === 1, 'the turn in progress finishes')
  t.match(outputs('lead')[0], /got task from orchestrator: slow first/)
  await until(() => pushes.some((p) => p.event === 'swarm_paused'), 'swarm_paused pushed')
  t.same(pushes.find((p) => p.event === 'swarm_paused')!.payload, { status: 'paused' })

  const rest = (await app.inject({ method: 'GET', url: '/api/swarms/team' })).json()
  t.equal(rest.status, 'paused', 'REST status')
  t.equal((await app.inject({ method: 'GET', url: '/api/swarms' })).json().swarms[0].status, 'paused', 'REST list')
  const overSocket = await outcome(channel.push('get_status', {}))
  t.equal(overSocket.response.status, 'paused', 'socket get_status')
  await until(() => pushes.some((p) => p.event === 'agent_status' && p.payload.agent === 'lead' && p.payload.state === 'idle'), 'lead idle after its turn')
  const inboxes = Object.fromEntries((await app.inject({ method: 'GET', url: '/api/swarms/team' })).json().agents.map((a: { name: string; inbox: number }) => [a.name, a.inbox]))
  t.same(inboxes, { lead: 3, dev: 1 }, 'the queued inputs wait in the inboxes')
  t.same(outputs('dev'), [], 'nothing new runs while paused')

  t.same((await app.inject({ method: 'POST', url: '/api/swarms/team/resume' })).json(), { swarm: 'team', status: 'running', changed: true })
  await until(() => outputs('lead').length === 4 && outputs('dev').length === 1, 'the queue runs after resume')
  t.same(outputs('lead').slice(1).map((o) => o.split(': ')[1]), ['task 1', 'task 2', 'task 3'], 'in order')
  t.match(outputs('dev')[0], /got message from lead: hello dev/)
  t.same(pushes.find((p) => p.event === 'swarm_resumed')!.payload, { status: 'running' })
  t.equal((await app.inject({ method: 'GET', url: '/api/swarms/team' })).json().status, 'running')

  const stored = (await app.inject({ method: 'GET', url: '/api/events?swarm=team&category=swarm' })).json()
  t.ok(stored.events.some((e: { event_type: string }) => e.event_type === 'swarm_paused'), 'swarm_paused stored')
  t.ok(stored.events.some((e: { event_type: string }) => e.event_type === 'swarm_resumed'), 'swarm_resumed stored')
  t.equal((await app.inject({ method: 'POST', url: '/api/swarms/ghost/pause' })).statusCode, 404)
})

t.test('daemon: the CLI pauses it through the command queue, queued tasks stay pending, resume runs them in order', async (t) => {
  const ws = cliWorkspace(t)
  writeFileSync(join(ws.dir, 'team.json'), JSON.stringify({ name: 'team', agents: [{ name: 'lead', backend: { type: 'mock', echo: true } }] }))
  const started = await ws.run(['start', 'team.json'])
  t.equal(started.code, 0, started.stderr)
  t.teardown(() => ws.run(['stop', 'team']))

  const paused = await ws.run(['pause', 'team', '--json'])
  t.equal(paused.code, 0, paused.stderr)
  t.same(JSON.parse(paused.stdout), { swarm: 'team', status: 'paused', changed: true })
  const status = await ws.run(['status', 'team', '--json'])
  t.equal(JSON.parse(status.stdout).status, 'paused', 'CLI status of a paused daemon')
  const human = await ws.run(['status', 'team'])
  t.match(human.stdout, /paused/)
  t.match((await ws.run(['status'])).stdout, /team\s+paused/, 'CLI list')

  for (const n of [1, 2, 3]) t.equal((await ws.run(['task', 'team', 'lead', `job ${n}`])).code, 0)
  // Two command round trips: the daemon's pass that ran the first also looked at the queued tasks.
  t.equal(JSON.parse((await ws.run(['pause', 'team', '--json'])).stdout).changed, false)
  t.equal(JSON.parse((await ws.run(['pause', 'team', '--json'])).stdout).changed, false)
  const registry = ws.registry()
  t.same(registry.listTasks('team').map((task) => [task.status, task.attempts]), [['pending', 0], ['pending', 0], ['pending', 0]], 'a paused daemon takes no task')

  const server = await startServer(t, { dbPath: ws.db, cwd: ws.dir })
  t.equal((await server.app.inject({ method: 'GET', url: '/api/swarms/team' })).json().status, 'paused', 'REST on a server beside the daemon')
  const resumed = await ws.run(['resume', 'team'])
  t.equal(resumed.code, 0, resumed.stderr)
  t.match(resumed.stdout, /resumed swarm team/)
  await until(() => registry.listTasks('team').every((task) => task.status === 'processed'), 'the tasks run after resume', 10_000)
  const events = (await server.app.inject({ method: 'GET', url: '/api/events?swarm=team&event_type=agent_output&limit=10' })).json().events
  t.same(events.map((e: { message: string }) => e.message).reverse(), ['job 1', 'job 2', 'job 3'], 'in order')
  t.equal((await server.app.inject({ method: 'GET', url: '/api/swarms/team' })).json().status, 'running')
})
