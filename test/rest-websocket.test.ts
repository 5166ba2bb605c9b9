import type { AddressInfo } from 'node:net'
import { Socket } from 'phoenix'
import t from 'tap'
import { WebSocket } from 'ws'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { eventually, restApp } from './helpers/rest-app.js'

t.test('a task sent over REST: the output shows in the agent history and reaches a WebSocket client joined to the swarm', async (t) => {
  const { app, call } = await restApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const created = await call('POST', '/api/swarms', {
    config: swarmConfig('both', [mockAgent('writer', [{ match: 'poem', response: 'roses are red' }]), mockAgent('reader')], [['writer', 'reader']]),
  })
  t.equal(created.status, 201)

  // The official phoenix client over a real connection, as in the seed's example.
  const socket = new Socket(`ws://127.0.0.1:${port}/swarm`, {
    transport: WebSocket as unknown as typeof globalThis.WebSocket,
    timeout: 5000,
    reconnectAfterMs: () => 60_000,
    rejoinAfterMs: () => 60_000,
  })
  socket.connect()
  t.teardown(() => socket.disconnect())
  const channel = socket.channel('swarm:both', {})
  const outputs: { agent: string; content: string }[] = []
  channel.on('agent_output', (payload: { agent: string; content: string }) => {
    outputs.push(payload)
  })
  const joined = await new Promise((resolve) => {
    channel.join().receive('ok', resolve).receive('error', resolve).receive('timeout', () => resolve('timeout'))
  })
  t.same(joined, { swarm: 'both' })

  const sent = await call('POST', '/api/swarms/both/agents/writer/task', { task: 'write a poem' })
  t.match(sent.body, { status: 'sent', agent: 'writer', task: 'write a poem', task_id: String })

  const pushed = await eventually(async () => outputs.find((o) => o.agent === 'writer'), 'agent_output on the socket')
  t.same(pushed, { agent: 'writer', content: 'roses are red' })
  const history = await call('GET', '/api/swarms/both/agents/writer/history')
  t.same(history.body.history.map((h: { direction: string; kind: string; content: string }) => [h.direction, h.kind, h.content]), [
    ['in', 'task', 'write a poem'],
    ['out', 'output', 'roses are red'],
  ])
})
