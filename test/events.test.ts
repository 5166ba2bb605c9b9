import { spawn } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { openDatabase } from '../lib/db/open.js'
import { BufferedEventWriter } from '../lib/events/buffered-writer.js'
import { EventSpine } from '../lib/events/spine.js'
import { SqliteEventStore } from '../lib/events/sqlite-store.js'
import { CATEGORIES, levelFor } from '../lib/events/taxonomy.js'
import { PubSub, topics } from '../lib/pubsub/index.js'
import type { SwarmEvent } from '../lib/events/types.js'
import { localAgent, mockAgent, swarmConfig, tempDir, testEngine, waitFor } from './helpers/engine.js'

const event = (n: number, swarm = 's'): Omit<SwarmEvent, 'id'> => ({
  timestamp: new Date().toISOString(), level: 'info', category: 'system', swarm, agent: null,
  event_type: 'test_event', message: `event ${n}`, metadata: { n },
})

t.test('every event type the engine emits is stored with the documented shape', async (t) => {
  const engine = testEngine(t)
  const m = engine.swarmManager
  await m.start(swarmConfig('all', [
    mockAgent('a', [{ match: 'go', response: 'out\n@b: hi\n@c: nope\n@ghost: boo\n@all: everyone' }]),
    mockAgent('b', []),
    mockAgent('c', []),
    localAgent('l'),
  ], [['a', 'b'], ['a', 'ghost']]))
  m.sendTask('all', 'a', 'go')
  m.sendTask('all', 'l', 'crash please')
  await waitFor(() => engine.eventStore.query({ swarm: 'all', event_type: 'agent_error' }).length > 0, 'crash')
  await waitFor(() => engine.eventStore.query({ swarm: 'all', event_type: 'message_delivered' }).length >= 2, 'deliveries')
  await m.stop('all')

  const rows = engine.database.sqlite.prepare("SELECT * FROM events WHERE swarm = 'all' ORDER BY id").all() as Record<string, unknown>[]
  const types = new Set(rows.map((r) => r.event_type))
  for (const type of ['swarm_started', 'swarm_stopped', 'agent_started', 'agent_stopped', 'agent_error', 'agent_status', 'task_sent', 'message_delivered',
    'agent_output', 'message_routed', 'message_broadcast', 'invalid_route', 'target_not_found']) {
    t.ok(types.has(type), `${type} is in the events table`)
  }
  const ids = rows.map((r) => r.id as number)
  t.same(ids, [...ids].sort((x, y) => x - y), 'ids increase')
  for (const row of rows) {
    t.same(Object.keys(row).sort(), ['agent', 'category', 'event_type', 'id', 'level', 'message', 'metadata', 'swarm', 'timestamp'])
    t.ok(!Number.isNaN(Date.parse(row.timestamp as string)) && (row.timestamp as string).endsWith('Z'), 'ISO 8601 timestamp')
    t.ok((CATEGORIES as readonly string[]).includes(row.category as string), `category ${row.category}`)
    t.doesNotThrow(() => JSON.parse(row.metadata as string), 'metadata is JSON')
    const diagnostic = row.event_type === 'backend_stderr' || row.event_type === 'agent_status'
    if (row.event_type !== 'swarm_started') t.equal(row.level, diagnostic ? 'debug' : levelFor(row.event_type as string))
  }
  const q = engine.eventStore.query({ swarm: 'all', event_type: 'invalid_route' })[0]!
  t.same(Object.keys(q).sort(), ['agent', 'category', 'event_type', 'id', 'level', 'message', 'metadata', 'swarm', 'timestamp'])
  t.equal(q.level, 'warning')
  t.equal(q.category, 'routing')
})

t.test('level derivation', async (t) => {
  t.equal(levelFor('agent_error'), 'error')
  t.equal(levelFor('task_failed'), 'error')
  t.equal(levelFor('invalid_route'), 'warning')
  t.equal(levelFor('target_not_found'), 'warning')
  t.equal(levelFor('inbox_full'), 'warning')
  t.equal(levelFor('agent_output'), 'info')
})

t.test('query filters, newest first, limit; eventsSince oldest first', async (t) => {
  const db = openDatabase(join(tempDir(t), 'q.db'))
  t.teardown(() => db.close())
  const store = new SqliteEventStore(db)
  store.persistMany([event(1, 'x'), { ...event(2, 'y'), level: 'error' }, event(3, 'x'), { ...event(4, 'x'), agent: 'bob' }])
  t.same(store.query({ swarm: 'x' }).map((e) => e.message), ['event 4', 'event 3', 'event 1'])
  t.same(store.query({ level: 'error' }).map((e) => e.swarm), ['y'])
  t.same(store.query({ agent: 'bob' }).map((e) => e.message), ['event 4'])
  t.same(store.query({ limit: 2 }).map((e) => e.message), ['event 4', 'event 3'])
  t.equal(store.query({ minutes: 1 }).length, 4)
  t.same(store.eventsSince(2).map((e) => e.message), ['event 3', 'event 4'])
  t.equal(store.maxEventId(), 4)
  t.same(store.query({ event_type: 'test_event', limit: 1 })[0]!.metadata, { n: 4 })
})

t.test('the buffered writer loses nothing across close() with 10 000 events', async (t) => {
  const dir = tempDir(t)
  const db = openDatabase(join(dir, 'buf.db'))
  const sqlite = new SqliteEventStore(db)
  const writer = new BufferedEventWriter(sqlite, { flushIntervalMs: 100, maxBatch: 1000 })
  const pubsub = new PubSub()
  const spine = new EventSpine(writer, pubsub)
  const published: number[] = []
  pubsub.subscribe<SwarmEvent>(topics.events('s'), (m) => published.push(m.payload.id))
  for (let i = 0; i < 10_000; i++) spine.emit({ swarm: 's', event_type: 'test_event', message: `e${i}`, metadata: { i } })
  t.ok(writer.pending > 0, 'events are queued, not written one by one')
  await spine.settle()
  await writer.close()
  db.close()
  const again = openDatabase(join(dir, 'buf.db'))
  t.teardown(() => again.close())
  const rows = again.sqlite.prepare('SELECT id, message FROM events ORDER BY id').all() as { id: number; message: string }[]
  t.equal(rows.length, 10_000)
  t.same(rows.map((r) => r.message), Array.from({ length: 10_000 }, (_, i) => `e${i}`), 'all stored, in order')
  t.same(published, rows.map((r) => r.id), 'each published once, with its id, in order')
})

t.test('close() flushes events that were only queued', async (t) => {
  const dir = tempDir(t)
  const db = openDatabase(join(dir, 'c.db'))
  t.teardown(() => db.close())
  const writer = new BufferedEventWriter(new SqliteEventStore(db), { flushIntervalMs: 60_000 })
  for (let i = 0; i < 25; i++) void writer.persist(event(i))
  t.equal(writer.maxEventId(), 0, 'nothing written yet')
  await writer.close()
  t.equal(new SqliteEventStore(db).maxEventId(), 25)
  await t.rejects(writer.persist(event(99)), /closed/)
})

t.test('two processes writing events to the same file at once lose nothing', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'shared.db')
  const writer = new URL('./helpers/write-events.ts', import.meta.url).pathname
  const run = (tag: string) =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, file, tag, '3000'], { stdio: ['ignore', 'inherit', 'inherit'] })
      child.on('error', reject)
      child.on('exit', (code) => resolve(code ?? -1))
    })
  const codes = await Promise.all([run('p1'), run('p2')])
  t.same(codes, [0, 0])
  const db = openDatabase(file)
  t.teardown(() => db.close())
  const count = (tag: string) => (db.sqlite.prepare('SELECT COUNT(*) AS n FROM events WHERE swarm = ?').get(tag) as { n: number }).n
  t.equal(count('p1'), 3000)
  t.equal(count('p2'), 3000)
  const ids = db.sqlite.prepare('SELECT id FROM events').pluck().all() as number[]
  t.equal(new Set(ids).size, 6000, 'no id reused')
})
