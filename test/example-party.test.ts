import { fileURLToPath } from 'node:url'
import t from 'tap'
import { api, watch } from './helpers/objects.js'
import { outcome, startServer, until } from './helpers/server.js'

// examples/party.yaml as shipped, driven over the WebSocket with the official
// phoenix client until every guest is idle with nothing left to read.
const root = fileURLToPath(new URL('..', import.meta.url))
const guests = Array.from({ length: 10 }, (_, i) => `guest${i + 1}`)

t.test('examples/party: ten guests in a full mesh greet each other, answer every greeting, arrive at the gateway, and fall quiet', async (t) => {
  const server = await startServer(t, { cwd: root })
  const started = await api(server, 'POST', '/api/swarms', { config_path: 'examples/party.yaml' })
  t.equal(started.status, 201, JSON.stringify(started.body))
  const w = await watch(t, server, 'party')
  const arrivals: any[] = []
  w.channel.on('gateway_message', (p: unknown) => void arrivals.push(p))
  const hiBacks = () => w.pushes.filter((p) => p.event === 'message_routed' && p.payload.content_preview.startsWith('hi back from'))

  t.equal((await outcome(w.channel.push('send_task', { agent: 'guest1', task: 'start' }))).status, 'ok')
  await until(() => arrivals.length === 10 && hiBacks().length === 90, 'ten arrivals and ninety answers', 20_000)
  t.same(arrivals.map((a) => a.from).sort(), [...guests].sort(), 'every guest arrived once, pushed as gateway_message')
  const pairs = new Set(hiBacks().map((p) => `${p.payload.from}->${p.payload.to}`))
  t.equal(pairs.size, 90, 'every guest answered every other guest\'s greeting once')

  const deadline = Date.now() + 20_000
  let status: any
  // Quiet: every guest idle with an empty inbox, as the socket's own get_status tells.
  for (;;) {
    status = (await outcome(w.channel.push('get_status', {}))).response
    if (status.agents.every((a: any) => a.state === 'idle' && a.inbox === 0)) break
    if (Date.now() > deadline) throw new Error(`the party did not fall quiet: ${JSON.stringify(status.agents)}`)
  }
  t.equal(status.agents.length, 10)

  const metrics = (await api(server, 'GET', '/api/swarms/party/metrics')).body
  t.equal(metrics.messages.total, 9 + 90 + 90 + 10, 'the opening, the greetings, the answers and the arrivals, nothing more')
  t.equal(metrics.messages.by_edge['guest2->guest3'], 2, 'a greeting and an answer along each edge')
  t.equal(metrics.messages.by_edge['guest1->guest2'], 3, 'and the host\'s opening')
  t.equal(metrics.tasks.total, 1)
  t.same(w.events().filter((e) => e.event_type === 'invalid_route' || e.event_type === 'message_dropped'), [], 'nothing refused or dropped')
})
