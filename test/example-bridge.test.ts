import { fileURLToPath } from 'node:url'
import t from 'tap'
import { api, watch } from './helpers/objects.js'
import { outcome, startServer } from './helpers/server.js'

// examples/bridge as shipped: the server runs from the repository root, as
// `npm start` does, so the example's handler path resolves inside it.
const root = fileURLToPath(new URL('..', import.meta.url))

t.test('examples/bridge: alice\'s message crosses the bridge into the office, enters at its gateway, and bob answers', async (t) => {
  const server = await startServer(t, { cwd: root })
  for (const swarm of ['office', 'lobby']) {
    const started = await api(server, 'POST', '/api/swarms', { config_path: `examples/bridge/${swarm}.yaml` })
    t.equal(started.status, 201, JSON.stringify(started.body))
  }
  const lobby = await watch(t, server, 'lobby')
  const office = await watch(t, server, 'office')

  t.equal((await outcome(lobby.channel.push('send_task', { agent: 'alice', task: 'hello' }))).status, 'ok')
  await lobby.waitPush('message_routed', (p) => p.from === 'alice' && p.to === 'bridge', 'alice → bridge')

  const entered = await office.waitPush('message_routed', (p) => p.from === 'gateway' && p.to === 'bob', 'gateway → bob in the office')
  t.equal(entered.content_preview, 'alice (lobby) says: is anyone in the office?')
  const answer = await office.waitPush('agent_output', (p) => p.agent === 'bob', 'bob answers')
  t.equal(answer.content, 'Yes, bob here. Come on in.')

  const reply = await lobby.waitPush('message_routed', (p) => p.from === 'bridge' && p.to === 'alice', 'the bridge\'s reply to alice')
  t.equal(reply.content_preview, 'forwarded to bob in office')
  await lobby.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'alice' && e.metadata.from === 'bridge', 'the reply delivered to alice')

  const bridge = (await api(server, 'GET', '/api/swarms/lobby/objects/bridge')).body
  t.match(bridge, { status: 'running', handler: './examples/bridge/bridge.mjs', message_count: 1, last_error: null })
  t.same(office.events().filter((e) => e.event_type === 'invalid_route'), [], 'the office topology let the message through along gateway\'s edge only')
})
