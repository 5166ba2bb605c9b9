import t from 'tap'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { RawPhoenixClient } from './helpers/phoenix-raw-client.js'
import { startServer } from './helpers/server.js'

// Closing the server closes every Phoenix socket it holds and releases their
// channels. The server finds its sockets through the ws server's own list of
// clients (it keeps no set of its own, so an open socket costs it nothing).

t.test('closing the server closes its joined sockets and releases their subscriptions', async (t) => {
  const server = await startServer(t)
  await server.app.swarmManager.start(swarmConfig('alpha', [mockAgent('worker', [], { backend: { type: 'mock', echo: true } })]))
  const clients = await Promise.all([1, 2, 3].map(() => RawPhoenixClient.connect(server.socketUrl, '2.0.0')))
  for (const c of clients) {
    const reply = await c.call('swarm:alpha', 'phx_join', {})
    t.equal((reply.payload as { status: string }).status, 'ok')
  }
  t.ok(server.app.pubsub.listenerCount() > 0, 'the joined channels subscribe')
  const pubsub = server.app.pubsub
  await server.app.close()
  const closes = await Promise.all(clients.map((c) => c.closed))
  // @fastify/websocket's own preClose hook runs first and closes without a code (1005); the plugin's would send 1001.
  for (const close of closes) t.ok(close.code === 1001 || close.code === 1005, `closed by the server (${close.code})`)
  t.equal(pubsub.listenerCount(), 0, 'every channel released its subscriptions')
})
