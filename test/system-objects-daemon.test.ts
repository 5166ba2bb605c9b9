import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { cliWorkspace } from './helpers/cli.js'
import { api, watch } from './helpers/objects.js'
import { outcome, startServer, until } from './helpers/server.js'

// A daemon swarm's system objects live in the daemon: the server reads the
// metrics through the typed command queue and relays gateway_message live.

const ws = cliWorkspace(t)
writeFileSync(join(ws.dir, 'outpost.json'), JSON.stringify({
  name: 'outpost',
  agents: [{ name: 'a', backend: { type: 'mock', script: [{ match: '^go$', response: '@metrics: all good\n@gateway: hello outside' }] } }],
  topology: [['gateway', 'a']],
}))

t.before(async () => {
  const started = await ws.run(['start', 'outpost.json'])
  if (started.code !== 0) throw new Error(started.stderr)
})
t.teardown(() => ws.run(['stop', 'outpost']))

t.test('metrics of a daemon swarm come through the queue; its gateway messages are pushed and listed', async (t) => {
  const server = await startServer(t, { dbPath: ws.db, cwd: ws.dir })
  const w = await watch(t, server, 'outpost')
  const gateway: any[] = []
  w.channel.on('gateway_message', (p: unknown) => void gateway.push(p))

  t.equal((await outcome(w.channel.push('send_task', { agent: 'a', task: 'go' }))).status, 'ok')
  await until(() => gateway.length > 0, 'the gateway_message relayed from the daemon', 10_000)
  t.same(gateway, [{ from: 'a', content: 'hello outside' }])
  await w.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'metrics', 'the report delivered in the daemon', 10_000)

  const metrics = await api(server, 'GET', '/api/swarms/outpost/metrics')
  t.equal(metrics.status, 200, JSON.stringify(metrics.body))
  t.match(metrics.body, { swarm: 'outpost', tasks: { total: 1, by_agent: { a: 1 } }, messages: { by_edge: { 'a->metrics': 1, 'a->gateway': 1 } } }, 'counted in the daemon')
  t.equal(metrics.body.reports.a.content, 'all good')

  const listed = await api(server, 'GET', '/api/swarms/outpost/gateway')
  t.match(listed.body, { count: 1, messages: [{ from: 'a', content: 'hello outside' }] }, 'stored by the daemon, listed by the server')

  const injected = await api(server, 'POST', '/api/swarms/outpost/message', { from: 'gateway', to: 'a', content: 'from outside' })
  t.equal(injected.status, 200, 'a message from outside enters the daemon swarm at gateway')
  await w.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'a' && e.metadata.from === 'gateway', 'delivered in the daemon', 10_000)
})
