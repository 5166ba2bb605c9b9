import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { isPidAlive } from '../lib/db/registry.js'
import { mockAgent, swarmConfig, tempDir, waitFor } from './helpers/engine.js'
import { exited, fakeDaemon, restApp } from './helpers/rest-app.js'

const pair = (name: string) =>
  swarmConfig(name, [mockAgent('alice', [{ match: 'go', response: '@bob: hi' }]), mockAgent('bob', [])], [['alice', 'bob']])

t.test('GET / is the info document with the endpoints and the websocket section', async (t) => {
  const { call } = await restApp(t, { version: '9.8.7' })
  const { status, body } = await call('GET', '/')
  t.equal(status, 200)
  t.equal(body.name, 'genswarms')
  t.equal(body.version, '9.8.7')
  const endpoints = body.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`)
  for (const route of ['GET /api/swarms', 'POST /api/swarms', 'DELETE /api/swarms/:name', 'POST /api/swarms/:name/agents/:agent/task', 'GET /api/events', 'POST /api/config/validate', 'GET /api/skills/:name']) {
    t.ok(endpoints.includes(route), `lists ${route}`)
  }
  t.same(body.websocket, {
    url: '/swarm',
    transport: 'websocket',
    topic: 'swarm:{swarm_name}',
    client_events: ['send_task', 'get_status', 'subscribe_logs', 'unsubscribe_logs', 'subscribe_events', 'unsubscribe_events'],
    server_events: ['agent_output', 'message_routed', 'message_broadcast', 'agent_status', 'swarm_started', 'swarm_stopped', 'agent_added', 'agent_removed', 'topology_changed', 'log_entry', 'event', 'agent_output_delta'],
  })
})

t.test('POST /api/swarms starts from an inline config, records it, and refuses a duplicate with 409', async (t) => {
  const { app, call } = await restApp(t)
  const created = await call('POST', '/api/swarms', { config: pair('duo') })
  t.equal(created.status, 201)
  t.same(created.body, { status: 'created', swarm_name: 'duo', agents: ['alice', 'bob'], failed: [] })
  t.ok(app.swarmManager.has('duo'), 'running in process')
  const row = app.registry.get('duo')
  t.equal(row?.status, 'running')
  t.equal(row?.pid, process.pid)
  t.equal((row?.config as { name: string }).name, 'duo', 'config stored for restarts')

  const again = await call('POST', '/api/swarms', { config: pair('duo') })
  t.equal(again.status, 409)
  t.same(again.body, { error: 'swarm "duo" is already running', code: 'GS_SWARM_ALREADY_RUNNING' })
})

t.test('POST /api/swarms from a config_path inside the working directory; outside is refused', async (t) => {
  const { app, dir, call } = await restApp(t)
  mkdirSync(join(dir, 'configs'))
  writeFileSync(join(dir, 'configs', 'file.yaml'), 'name: from-file\nagents:\n  - name: solo\n    backend: mock\n')
  const created = await call('POST', '/api/swarms', { config_path: 'configs/file.yaml' })
  t.equal(created.status, 201)
  t.equal(created.body.swarm_name, 'from-file')
  t.match(app.registry.get('from-file')?.config_path, /configs[/\\]file\.yaml$/)

  const outsideDir = tempDir(t)
  writeFileSync(join(outsideDir, 'evil.json'), JSON.stringify(pair('evil')))
  symlinkSync(join(outsideDir, 'evil.json'), join(dir, 'link.json'))
  for (const path of ['../x.json', join(outsideDir, 'evil.json'), 'link.json']) {
    const res = await call('POST', '/api/swarms', { config_path: path })
    t.equal(res.status, 400, `${path} refused`)
    t.equal(res.body.code, 'GS_CONFIG_FILE')
    t.match(res.body.error, /outside the working directory/)
  }
  t.notOk(app.swarmManager.has('evil'))
  const missing = await call('POST', '/api/swarms', { config_path: 'nope.json' })
  t.equal(missing.status, 400)
  t.match(missing.body.error, /config file not found/)
})

t.test('POST /api/swarms rejects bad input with 400 and a message naming the problem', async (t) => {
  const { app, call } = await restApp(t)
  const invalid = await call('POST', '/api/swarms', { config: { name: '9bad', agents: [{ name: 'a', backend: 'nope' }], topology: [['a', 'ghost']] } })
  t.equal(invalid.status, 400)
  t.equal(invalid.body.valid, false)
  t.ok(invalid.body.errors.length >= 3, 'every error at once')
  t.ok(invalid.body.errors.some((e: string) => e.startsWith('agents[0].backend')))
  t.ok(invalid.body.errors.some((e: string) => e.startsWith('topology[0]')))

  const cases: [unknown, RegExp][] = [
    [{}, /give one of "config", "config_path"/],
    [{ config: pair('a'), config_path: 'x.json' }, /give only one/],
    [{ config: 'name: x' }, /^body\/config must be object$/],
    [{ config_path: 7 }, /^body\/config_path must be string$/],
    [{ config: pair('b'), extra: true }, /^body\/extra is not allowed$/],
    [[1, 2], /^body must be object$/],
  ]
  for (const [payload, message] of cases) {
    const res = await call('POST', '/api/swarms', payload)
    t.equal(res.status, 400, JSON.stringify(payload))
    t.match(res.body.error, message)
    t.ok(res.body.code.startsWith('GS_'))
  }
  const notJson = await call('POST', '/api/swarms', '{"config":', { headers: { 'content-type': 'application/json' } })
  t.equal(notJson.status, 400)
  t.equal(notJson.body.code, 'GS_INVALID_JSON')
  t.same(app.swarmManager.list(), [], 'nothing started')
})

t.test('GET /api/swarms and /api/swarms/:name: in-process and daemon swarms, each once; 404 for unknown', async (t) => {
  const { app, dir, call } = await restApp(t)
  await call('POST', '/api/swarms', { config: pair('local') })
  const daemon = await fakeDaemon(t, join(dir, 'swarms.db'), 'remote')
  const list = await call('GET', '/api/swarms')
  t.equal(list.status, 200)
  t.same(
    list.body.swarms.map((s: { name: string; status: string; source: string }) => [s.name, s.status, s.source]),
    [['local', 'running', 'in_process'], ['remote', 'running', 'daemon']],
  )
  t.equal(list.body.swarms[1].pid, daemon.pid)

  const local = await call('GET', '/api/swarms/local')
  t.equal(local.status, 200)
  t.same(local.body.topology, [{ from: 'alice', targets: ['bob'] }, { from: 'bob', targets: [] }])
  t.same(local.body.agents.map((a: { name: string; state: string }) => [a.name, a.state]), [['alice', 'idle'], ['bob', 'idle']])
  const remote = await call('GET', '/api/swarms/remote')
  t.equal(remote.body.source, 'daemon')
  t.same(remote.body.agents.map((a: { name: string }) => a.name), ['worker', 'helper'])

  const unknown = await call('GET', '/api/swarms/ghost')
  t.equal(unknown.status, 404)
  t.same(unknown.body, { error: 'swarm "ghost" not found', code: 'GS_SWARM_NOT_FOUND' })
  t.equal((await call('GET', '/api/swarms?x=1')).status, 400, 'unknown query parameters are refused')
  void app
})

t.test('DELETE /api/swarms/:name stops an in-process swarm; ?purge=true removes its rows and events', async (t) => {
  const { app, call } = await restApp(t)
  await call('POST', '/api/swarms', { config: pair('gone') })
  const stopped = await call('DELETE', '/api/swarms/gone')
  t.same(stopped.body, { status: 'stopped', swarm_name: 'gone' })
  t.notOk(app.swarmManager.has('gone'))
  t.equal(app.registry.get('gone')?.status, 'stopped')
  t.ok(app.eventStore.query({ swarm: 'gone', event_type: 'swarm_stopped' }).length === 1)

  const again = await call('DELETE', '/api/swarms/gone')
  t.equal(again.status, 409, 'stopping a stopped swarm')
  t.equal(again.body.code, 'GS_SWARM_NOT_RUNNING')

  const purged = await call('DELETE', '/api/swarms/gone?purge=true')
  t.same(purged.body, { status: 'purged', swarm_name: 'gone' })
  t.equal(app.registry.get('gone'), null)
  t.same(app.eventStore.query({ swarm: 'gone' }), [], 'events deleted')

  await call('POST', '/api/swarms', { config: pair('live') })
  const livePurge = await call('DELETE', '/api/swarms/live?purge=true')
  t.equal(livePurge.body.status, 'purged')
  t.same(app.eventStore.query({ swarm: 'live' }), [], 'even the stop\'s own events')

  t.equal((await call('DELETE', '/api/swarms/ghost')).status, 404)
  const badFlag = await call('DELETE', '/api/swarms/live?purge=maybe')
  t.equal(badFlag.status, 400)
  t.equal(badFlag.body.error, 'querystring/purge must be boolean')
})

t.test('a daemon swarm: tasks are queued for it, DELETE sends SIGTERM and waits for it to stop', async (t) => {
  const { app, dir, call } = await restApp(t)
  const daemon = await fakeDaemon(t, join(dir, 'swarms.db'), 'far')
  const task = await call('POST', '/api/swarms/far/agents/worker/task', { task: 'do it' })
  t.equal(task.status, 200)
  t.match(task.body, { status: 'sent', agent: 'worker', task: 'do it', queued: true })
  t.same(app.registry.pendingTasks('far').map((q) => [q.id, q.agent, q.task]), [[task.body.task_id, 'worker', 'do it']])
  t.equal((await call('POST', '/api/swarms/far/agents/nobody/task', { task: 'x' })).status, 404)

  const history = await call('GET', '/api/swarms/far/agents/worker/history')
  t.equal(history.status, 409)
  t.equal(history.body.code, 'GS_SWARM_IN_DAEMON')

  const stopped = await call('DELETE', '/api/swarms/far')
  t.same(stopped.body, { status: 'stopped', swarm_name: 'far' })
  t.equal(app.registry.get('far')?.status, 'stopped', 'the daemon marked itself stopped')
  t.equal(await exited(daemon), 0, 'the daemon exited cleanly')
  t.notOk(isPidAlive(daemon.pid!))
})

t.test('POST /api/swarms/:name/restart starts again from the stored config; ?delete=true starts clean', async (t) => {
  const { app, dir, call } = await restApp(t)
  await call('POST', '/api/swarms', { config: pair('again') })
  const first = app.registry.get('again')!.started_at
  const restarted = await call('POST', '/api/swarms/again/restart')
  t.equal(restarted.status, 200)
  t.same(restarted.body, { status: 'restarted', swarm_name: 'again', source: 'in_process', agents: ['alice', 'bob'], failed: [] })
  t.ok(app.swarmManager.has('again'))
  t.equal(app.eventStore.query({ swarm: 'again', event_type: 'swarm_started' }).length, 2, 'history kept')
  t.not(app.registry.get('again')!.started_at, first)

  const clean = await call('POST', '/api/swarms/again/restart?delete=true')
  t.equal(clean.status, 200)
  t.same(app.eventStore.query({ swarm: 'again' }).map((e) => e.event_type).filter((e) => e.startsWith('swarm_')), ['swarm_started'], 'only the new start remains')

  // A stopped swarm restarts too, and a swarm of another process that keeps no
  // daemon log (so not one `genswarms start` launched) is taken over by this server.
  await call('DELETE', '/api/swarms/again')
  t.equal((await call('POST', '/api/swarms/again/restart')).status, 200)
  const daemon = await fakeDaemon(t, join(dir, 'swarms.db'), 'moved')
  const moved = await call('POST', '/api/swarms/moved/restart')
  t.equal(moved.status, 200)
  t.equal(await exited(daemon), 0)
  t.equal((await call('GET', '/api/swarms/moved')).body.source, 'in_process')

  t.equal((await call('POST', '/api/swarms/ghost/restart')).status, 404)
})

t.test('POST /api/swarms/clean removes stopped and crashed rows; ?all=true also their events', async (t) => {
  const { app, call } = await restApp(t)
  for (const name of ['keep', 'old', 'older']) await call('POST', '/api/swarms', { config: pair(name) })
  await call('DELETE', '/api/swarms/old')
  await call('DELETE', '/api/swarms/older')
  const cleaned = await call('POST', '/api/swarms/clean')
  t.same(cleaned.body, { status: 'cleaned', removed: ['old', 'older'] })
  t.same(app.swarmManager.list().map((s) => s.name), ['keep'])
  t.ok(app.eventStore.query({ swarm: 'old' }).length > 0, 'events stay without all')

  await call('DELETE', '/api/swarms/keep')
  const all = await call('POST', '/api/swarms/clean?all=true')
  t.same(all.body.removed, ['keep'])
  t.same(app.eventStore.query({ swarm: 'keep' }), [])
})
