import t from 'tap'
import { endsTurn } from '../lib/daemon/flush-points.js'
import { BufferedEventWriter } from '../lib/events/buffered-writer.js'
import { SqliteEventStore } from '../lib/events/sqlite-store.js'
import { testEngine } from './helpers/engine.js'

const event = (event_type: string, metadata: Record<string, unknown> = {}) => ({
  timestamp: new Date().toISOString(), level: 'info' as const, category: 'agent' as const, swarm: 's', agent: 'a', event_type, message: event_type, metadata,
})

t.test('a turn\'s end is stored at the end of its tick, not on the timer; what the tick queued joins it, in order', async (t) => {
  const engine = testEngine(t)
  const store = new SqliteEventStore(engine.database)
  const writer = new BufferedEventWriter(store, { flushIntervalMs: 60_000, flushWhen: endsTurn })
  t.teardown(() => writer.close())

  const working = writer.persist(event('agent_status', { state: 'working' }))
  await new Promise((r) => setImmediate(r))
  t.equal(writer.pending, 1, 'an event that ends nothing waits for a later flush')

  const stored = Promise.all([
    working,
    writer.persist(event('agent_output')),
    writer.persist(event('agent_status', { state: 'idle' })),
    writer.persist(event('message_routed')),
  ])
  const events = await stored
  t.equal(writer.pending, 0)
  t.same(events.map((e) => e.event_type), ['agent_status', 'agent_output', 'agent_status', 'message_routed'])
  const ids = events.map((e) => e.id)
  t.same(ids, [ids[0], ids[0]! + 1, ids[0]! + 2, ids[0]! + 3], 'one batch, in the order emitted')
  t.same(store.eventsSince(0).map((e) => e.id), ids, 'each stored once')
})
