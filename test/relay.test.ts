import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify from 'fastify'
import t from 'tap'
import genswarms from '../index.js'
import { createEngine } from '../lib/engine.js'
import { EventRelay } from '../lib/events/relay.js'
import type { SwarmEvent } from '../lib/events/types.js'
import { mockAgent, swarmConfig, tempDir, testEngine, waitFor } from './helpers/engine.js'

const WRITER = fileURLToPath(new URL('./helpers/write-events.ts', import.meta.url))

/** Every `event` published on events:<swarm> for the given swarms, in arrival order. */
function collect(pubsub: { subscribe: (topic: string, h: (m: { event: string; payload: unknown }) => void) => () => void }, swarms: string[]) {
  const seen: SwarmEvent[] = []
  const offs = swarms.map((s) => pubsub.subscribe(`events:${s}`, (m) => seen.push(m.payload as SwarmEvent)))
  return { seen, off: () => offs.forEach((off) => off()) }
}

for (const mode of ['watch', 'poll'] as const) {
  t.test(`${mode}: events another process writes are published once; earlier and own events are not`, async (t) => {
    const server = testEngine(t, { trackOwnEvents: true })
    const file = join(server.dir, 'swarms.db')
    const other = createEngine({ dbPath: file, buffered: false })
    t.teardown(() => other.close())
    other.spine.emit({ swarm: 's', event_type: 'before_start', message: 'written before the relay started' })

    const relay = new EventRelay({
      store: server.eventStore, spine: server.spine, pubsub: server.pubsub,
      intervalMs: mode === 'poll' ? 20 : 60_000, wakeOn: mode === 'watch' ? `${file}-wal` : null,
    })
    relay.start()
    t.teardown(() => relay.stop())
    const { seen } = collect(server.pubsub, ['s'])

    other.spine.emit({ swarm: 's', event_type: 'from_daemon', message: 'one' })
    other.spine.emit({ swarm: null, event_type: 'from_daemon', message: 'no swarm: nobody subscribes to it' })
    server.spine.emit({ swarm: 's', event_type: 'own', message: 'this process wrote it' })
    other.spine.emit({ swarm: 's', event_type: 'from_daemon', message: 'two' })
    await waitFor(() => seen.filter((e) => e.event_type === 'from_daemon').length === 2, 'both daemon events', 10_000)
    // Once the relay has passed the last row, a duplicate would already have been published.
    await waitFor(() => relay.lastId === server.eventStore.maxEventId(), 'the relay past the last row', 10_000)
    relay.drain()

    // This process publishes its own events as it writes them, so they may come before older daemon events.
    t.same(seen.filter((e) => e.event_type === 'own').map((e) => e.message), ['this process wrote it'], 'own event once, from the spine')
    const relayed = seen.filter((e) => e.event_type !== 'own')
    t.same(relayed.map((e) => e.message), ['one', 'two'], 'daemon events once each, in order; nothing from before the start')
    t.equal(relay.lastId, server.eventStore.maxEventId(), 'the relay has passed every row')
  })
}

t.test('three writer processes at once: every id exactly once, in order', async (t) => {
  const server = testEngine(t, { trackOwnEvents: true })
  const file = join(server.dir, 'swarms.db')
  const relay = new EventRelay({ store: server.eventStore, spine: server.spine, pubsub: server.pubsub, intervalMs: 250, wakeOn: `${file}-wal`, batchSize: 50 })
  relay.start()
  t.teardown(() => relay.stop())
  const tags = ['w1', 'w2', 'w3']
  const { seen } = collect(server.pubsub, tags)
  const perWriter = 1500
  const exits = tags.map((tag) => new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, tag, String(perWriter)], { stdio: ['ignore', 'ignore', 'inherit'] })
    child.on('error', reject)
    child.on('exit', resolve)
  }))
  t.same(await Promise.all(exits), [0, 0, 0], 'writers finished')
  await waitFor(() => seen.length >= perWriter * tags.length, 'all events relayed', 20_000)
  // Once the relay has passed the last row, a duplicate would already have been published.
  await waitFor(() => relay.lastId === server.eventStore.maxEventId(), 'the relay past the last row', 10_000)

  const stored = server.database.sqlite.prepare('SELECT id FROM events ORDER BY id').pluck().all() as number[]
  const ids = seen.map((e) => e.id)
  t.equal(ids.length, stored.length, 'as many deliveries as rows')
  t.same(ids, stored, 'exactly the stored ids, each once, in id order')
  for (const tag of tags) t.equal(seen.filter((e) => e.swarm === tag).length, perWriter, `${tag}: all events`)
})

t.test('the plugin starts the relay on ready and stops it on close', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'swarms.db')
  const app = Fastify({ logger: false })
  await app.register(genswarms, { dbPath: file, apiToken: null })
  await app.ready()
  const daemon = createEngine({ dbPath: file, buffered: false })
  t.teardown(() => daemon.close())
  const { seen } = collect(app.pubsub, ['d', 'inproc'])

  await app.swarmManager.start(swarmConfig('inproc', [mockAgent('a', [{ match: 'x', response: 'ok' }])]))
  app.swarmManager.sendTask('inproc', 'a', 'x')
  daemon.spine.emit({ swarm: 'd', event_type: 'agent_output', agent: 'bot', message: 'daemon output' })
  await waitFor(() => seen.some((e) => e.swarm === 'd') && seen.some((e) => e.event_type === 'agent_output' && e.swarm === 'inproc'), 'both swarms', 10_000)
  // Proves an absence (no second publication); nothing on the wire says when one would have come.
  await new Promise((r) => setTimeout(r, 300))
  const ids = seen.map((e) => e.id)
  t.equal(new Set(ids).size, ids.length, 'no event published twice')
  t.same(seen.filter((e) => e.swarm === 'd').map((e) => e.message), ['daemon output'])

  await app.close()
  const after = seen.length
  daemon.spine.emit({ swarm: 'd', event_type: 'agent_output', agent: 'bot', message: 'after close' })
  // Proves an absence: a closed relay has nothing left to report that it is done.
  await new Promise((r) => setTimeout(r, 400))
  t.equal(seen.length, after, 'nothing relayed after close')
})

t.test('relay: false, and an adopted engine that does not track its own ids, publish nothing from other processes', async (t) => {
  for (const variant of ['off', 'untracked'] as const) {
    const dir = tempDir(t)
    const file = join(dir, 'swarms.db')
    const warnings: string[] = []
    const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => warnings.push(line) } } })
    const engine = variant === 'untracked' ? createEngine({ dbPath: file, buffered: false }) : undefined
    await app.register(genswarms, variant === 'off' ? { dbPath: file, relay: false, apiToken: null } : { engine: engine!, apiToken: null })
    await app.ready()
    const daemon = createEngine({ dbPath: file, buffered: false })
    const { seen } = collect(app.pubsub, ['d'])
    daemon.spine.emit({ swarm: 'd', event_type: 'agent_output', message: 'x' })
    // Proves an absence: with no relay, nothing exists to wait on.
    await new Promise((r) => setTimeout(r, 400))
    t.equal(seen.length, 0, `${variant}: not relayed`)
    if (variant === 'untracked') t.match(warnings.join(''), /event relay off/, 'says why')
    await app.close()
    await daemon.close()
    await engine?.close()
  }
})

t.test('the relay does not read back this process\'s own events, and still reads every other process\'s once, in order', async (t) => {
  const server = testEngine(t, { trackOwnEvents: true, buffered: false })
  const file = join(server.dir, 'swarms.db')
  const other = createEngine({ dbPath: file, buffered: false })
  t.teardown(() => other.close())
  // The real store, with the rows it hands back counted.
  let rowsRead = 0
  const store = {
    maxEventId: () => server.eventStore.maxEventId(),
    eventsSince: (id: number, limit?: number) => {
      const rows = server.eventStore.eventsSince(id, limit)
      rowsRead += rows.length
      return rows
    },
  }
  const relay = new EventRelay({ store, spine: server.spine, pubsub: server.pubsub, intervalMs: 60_000 })
  relay.start()
  t.teardown(() => relay.stop())
  const { seen } = collect(server.pubsub, ['s'])

  for (let i = 0; i < 50; i++) server.spine.emit({ swarm: 's', event_type: 'own', message: `own ${i}` })
  const ownPublished = seen.length
  t.equal(relay.drain(), 0)
  t.equal(rowsRead, 0, 'nothing read back while every new id is this process\'s own')
  t.equal(relay.lastId, server.eventStore.maxEventId(), 'and the relay is past them')

  other.spine.emit({ swarm: 's', event_type: 'foreign', message: 'one' })
  server.spine.emit({ swarm: 's', event_type: 'own', message: 'own after one' })
  other.spine.emit({ swarm: 's', event_type: 'foreign', message: 'two' })
  t.equal(relay.drain(), 2)
  t.equal(relay.drain(), 0, 'a second drain finds nothing new')
  t.same(seen.slice(ownPublished).filter((e) => e.event_type === 'foreign').map((e) => e.message), ['one', 'two'], 'the other process\'s events, once each, in order')
  t.ok(rowsRead <= 3, `only from the first other row on (${rowsRead} rows read)`)
})
