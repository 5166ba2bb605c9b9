import t from 'tap'
import { localAgent, mockAgent, swarmConfig, waitFor } from './helpers/engine.js'
import { eventually, restApp } from './helpers/rest-app.js'

const team = swarmConfig(
  'team',
  [
    mockAgent('lead', [{ match: '^plan', response: 'planning\n@dev: build it' }]),
    mockAgent('dev', [{ match: 'build it', response: 'built' }]),
    mockAgent('qa', []),
  ],
  [['lead', 'dev'], ['dev', 'lead']],
)

t.test('agents: list, one, 404s', async (t) => {
  const { call } = await restApp(t)
  await call('POST', '/api/swarms', { config: team })
  const list = await call('GET', '/api/swarms/team/agents')
  t.equal(list.status, 200)
  t.same(list.body.agents.map((a: { name: string }) => a.name), ['lead', 'dev', 'qa'])
  const one = await call('GET', '/api/swarms/team/agents/dev')
  t.match(one.body, { name: 'dev', state: 'idle', backend: 'mock', targets: ['lead'] })
  const missing = await call('GET', '/api/swarms/team/agents/nobody')
  t.equal(missing.status, 404)
  t.same(missing.body, { error: 'agent "nobody" not found in swarm "team"', code: 'GS_AGENT_NOT_FOUND' })
  t.equal((await call('GET', '/api/swarms/ghost/agents')).status, 404)
  t.equal((await call('GET', '/api/swarms/ghost/agents/dev')).status, 404)
})

t.test('a task over REST reaches the agent; its output and routed messages show in history and the message log', async (t) => {
  const { call } = await restApp(t)
  await call('POST', '/api/swarms', { config: team })
  const sent = await call('POST', '/api/swarms/team/agents/lead/task', { task: 'plan the release' })
  t.equal(sent.status, 200)
  t.match(sent.body, { status: 'sent', agent: 'lead', task: 'plan the release', task_id: String })

  const history = await eventually(async () => {
    const res = await call('GET', '/api/swarms/team/agents/dev/history')
    return res.body.count === 2 ? res.body : null
  }, 'dev answered')
  t.same(history.history.map((h: { direction: string; kind: string; content: string }) => [h.direction, h.kind, h.content]), [
    ['in', 'message', 'build it'],
    ['out', 'output', 'built'],
  ])
  const lead = await call('GET', '/api/swarms/team/agents/lead/history?limit=1')
  t.equal(lead.body.count, 1, 'limit applies')
  t.equal(lead.body.history[0].content, 'planning\n@dev: build it', 'the newest entry')

  const log = await call('GET', '/api/swarms/team/messages')
  t.equal(log.status, 200)
  t.same(log.body.messages.map((m: { from: string; to: string; type: string }) => [m.from, m.to, m.type]), [['lead', 'dev', 'direct']])
  t.equal((await call('GET', '/api/swarms/team/messages?limit=0')).status, 400)
  t.equal((await call('GET', '/api/swarms/team/messages?limit=100000')).status, 200, 'large limits are capped, not refused')
  t.equal((await call('GET', '/api/swarms/ghost/messages')).status, 404)
})

t.test('task: 400 for a bad body, 404 for unknown swarm or agent, 409 for an agent that cannot take input', async (t) => {
  const { call } = await restApp(t)
  await call('POST', '/api/swarms', { config: swarmConfig('crashy', [localAgent('proc'), mockAgent('ok')]) })
  const bad: [unknown, string][] = [
    [{ task: 42 }, 'body/task must be string'],
    [{}, 'body/task is required'],
    [{ task: '' }, 'body/task must NOT have fewer than 1 characters'],
    [{ task: 'x', urgent: true }, 'body/urgent is not allowed'],
  ]
  for (const [payload, error] of bad) {
    const res = await call('POST', '/api/swarms/crashy/agents/ok/task', payload)
    t.equal(res.status, 400, JSON.stringify(payload))
    t.same(res.body, { error, code: 'GS_INVALID_INPUT' })
  }
  t.equal((await call('POST', '/api/swarms/crashy/agents/nobody/task', { task: 'x' })).status, 404)
  t.equal((await call('POST', '/api/swarms/ghost/agents/ok/task', { task: 'x' })).status, 404)

  await call('POST', '/api/swarms/crashy/agents/proc/task', { task: 'crash now' })
  await eventually(async () => (await call('GET', '/api/swarms/crashy/agents/proc')).body.state === 'error', 'the agent process died')
  const refused = await call('POST', '/api/swarms/crashy/agents/proc/task', { task: 'still there?' })
  t.equal(refused.status, 409)
  t.equal(refused.body.code, 'GS_AGENT_UNAVAILABLE')

  const restarted = await call('POST', '/api/swarms/crashy/agents/proc/restart')
  t.equal(restarted.status, 200)
  t.match(restarted.body, { status: 'restarted', agent: { name: 'proc', state: 'idle' } })
  t.equal((await call('POST', '/api/swarms/crashy/agents/proc/task', { task: 'hello' })).status, 200, 'takes tasks again')
  t.equal((await call('POST', '/api/swarms/crashy/agents/nobody/restart')).status, 404)
})

t.test('POST /api/swarms/:name/message routes along the topology, and only along it', async (t) => {
  const { app, call } = await restApp(t)
  await call('POST', '/api/swarms', { config: team })
  const routed = await call('POST', '/api/swarms/team/message', { from: 'lead', to: 'dev', content: 'build it' })
  t.equal(routed.status, 200)
  t.same(routed.body, { status: 'routed', from: 'lead', to: 'dev', swarm: 'team' })
  await waitFor(() => app.swarmManager.history('team', 'dev').some((h) => h.content === 'built'), 'dev got it and answered')

  const offTopology = await call('POST', '/api/swarms/team/message', { from: 'lead', to: 'qa', content: 'psst' })
  t.equal(offTopology.status, 400)
  t.equal(offTopology.body.code, 'GS_INVALID_ROUTE')
  t.match(offTopology.body.error, /allowed targets: dev/)
  t.notOk(app.swarmManager.history('team', 'qa').length, 'nothing delivered')

  t.equal((await call('POST', '/api/swarms/team/message', { from: 'ghost', to: 'dev', content: 'x' })).status, 404)
  t.equal((await call('POST', '/api/swarms/ghost/message', { from: 'lead', to: 'dev', content: 'x' })).status, 404)
  const missing = await call('POST', '/api/swarms/team/message', { from: 'lead', content: 'x' })
  t.same(missing.body, { error: 'body/to is required', code: 'GS_INVALID_INPUT' })

  await call('DELETE', '/api/swarms/team')
  const stopped = await call('POST', '/api/swarms/team/message', { from: 'lead', to: 'dev', content: 'x' })
  t.equal(stopped.status, 409)
  t.equal(stopped.body.code, 'GS_SWARM_NOT_RUNNING')
})
