import { join } from 'node:path'
import t from 'tap'
import { createEngine } from '../lib/engine.js'
import { EventRelay } from '../lib/events/relay.js'
import { tempDir } from './helpers/engine.js'
import { collect, outcome, phoenixSocket, startServer } from './helpers/server.js'

// A daemon's events reach the server's subscribers through the relay, some
// time after they were stored. A subscribe reply may list such an event
// before the relay publishes it; each subscription must then get it exactly
// once: from its own reply, or live if its reply did not include it.

t.test('an event relayed after another subscription\'s reply still reaches the subscription that has not seen it', async (t) => {
  const dir = tempDir(t)
  const dbPath = join(dir, 'swarms.db')
  const engine = createEngine({ dbPath, buffered: false, trackOwnEvents: true })
  t.teardown(() => engine.close())
  const server = await startServer(t, { engine, relay: false })
  // The server's relay, run by hand so it can be made late on purpose.
  const relay = new EventRelay({ store: engine.eventStore, spine: engine.spine, pubsub: engine.pubsub, intervalMs: 3_600_000 })
  relay.start()
  t.teardown(() => relay.stop())
  // The daemon: another engine on the same database file.
  const daemon = createEngine({ dbPath, buffered: false })
  t.teardown(() => daemon.close())
  daemon.registry.register({ name: 'remote', pid: process.pid })

  const socket = phoenixSocket(t, server.socketUrl)
  const channel = socket.channel('swarm:remote', {})
  const pushes = collect(channel, ['log_entry', 'event'])
  t.equal((await outcome(channel.join())).status, 'ok')
  t.same((await outcome(channel.push('subscribe_logs', { agent: 'alice' }))).response.recent_logs, [])
  t.same((await outcome(channel.push('subscribe_events', { filters: { event_type: 'agent_error' } }))).response.recent_events, [])

  daemon.spine.emit({ swarm: 'remote', agent: 'alice', event_type: 'agent_output', message: 'from alice' })
  daemon.spine.emit({ swarm: 'remote', agent: 'alice', event_type: 'agent_error', message: 'alice failed' })
  daemon.spine.emit({ swarm: 'remote', agent: 'bob', event_type: 'agent_output', message: 'from bob' })

  // Stored, not yet relayed: these replies list events up to the newest id.
  const bob = await outcome(channel.push('subscribe_logs', { agent: 'bob' }))
  t.same(bob.response.recent_logs.map((l: { message: string }) => l.message), ['from bob'])
  const outputs = await outcome(channel.push('subscribe_events', { filters: { event_type: 'agent_output' } }))
  t.same(outputs.response.recent_events.map((e: { message: string }) => e.message), ['from alice', 'from bob'])

  t.equal(relay.drain(), 3, 'the relay publishes the daemon\'s three events')
  // Pushes made during drain() are on the wire before the reply to a later message.
  t.equal((await outcome(channel.push('unsubscribe_events', {}))).status, 'ok')
  const seen = (event: string) => pushes.filter((p) => p.event === event).map((p) => p.payload.message)
  t.same(seen('log_entry'), ['from alice', 'alice failed'], 'alice\'s entries live (her reply was empty); bob\'s came in his reply only')
  t.same(seen('event'), ['alice failed'], 'the agent_error set gets its event live; the agent_output set had both outputs in its reply')
})
