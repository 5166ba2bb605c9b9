import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openDatabase } from '../lib/db/open.js'
import { cliWorkspace } from './helpers/cli.js'
import { waitFor } from './helpers/engine.js'
import { outcome, phoenixSocket, startServer, until } from './helpers/server.js'

// Three daemons write events at the same time while the server's relay runs:
// one WebSocket client joined to all three swarms gets every id exactly once, in order.

const SWARMS = ['d1', 'd2', 'd3']
const TASKS_PER_SWARM = 60

t.test('three daemons writing at once: every event id reaches the client exactly once, in order', async (t) => {
  const ws = cliWorkspace(t)
  for (const name of SWARMS) {
    writeFileSync(join(ws.dir, `${name}.json`), JSON.stringify({
      name,
      agents: [
        { name: 'a', backend: { type: 'mock', script: [{ match: 'task', response: 'working\n@b: pass it on' }] } },
        { name: 'b', backend: { type: 'mock', script: [{ match: 'pass', response: 'done' }] } },
      ],
      topology: [['a', 'b']],
    }))
  }
  const server = await startServer(t, { dbPath: ws.db, cwd: ws.dir })
  const started = await Promise.all(SWARMS.map((name) => ws.run(['start', `${name}.json`, '--json'])))
  for (const r of started) t.equal(r.code, 0, r.stderr)
  const pids = started.map((r) => JSON.parse(r.stdout).pid as number)

  const database = openDatabase(ws.db)
  t.teardown(() => database.close())
  const count = (sql: string) => database.sqlite.prepare(sql).pluck().get() as number
  await waitFor(() => count("SELECT COUNT(*) FROM events WHERE event_type = 'daemon_started'") === SWARMS.length, 'all daemons up', 20_000)

  const socket = phoenixSocket(t, server.socketUrl)
  const received: { topic: string; id: number; swarm: string }[] = []
  for (const name of SWARMS) {
    const channel = socket.channel(`swarm:${name}`, {})
    channel.on('event', (e: { id: number; swarm: string }) => void received.push({ topic: name, id: e.id, swarm: e.swarm }))
    t.same(await outcome(channel.join()), { status: 'ok', response: { swarm: name } })
    t.equal((await outcome(channel.push('subscribe_events', { filters: {} }))).status, 'ok')
  }
  const tip = count('SELECT MAX(id) FROM events')

  const registry = ws.registry()
  for (let i = 0; i < TASKS_PER_SWARM; i++) for (const name of SWARMS) registry.enqueueTask(name, 'a', `task ${i}`)
  await waitFor(
    () => count("SELECT COUNT(*) FROM events WHERE event_type = 'agent_output' AND agent = 'b'") === TASKS_PER_SWARM * SWARMS.length,
    'every task answered', 60_000,
  )
  const expected = (database.sqlite.prepare(`SELECT id FROM events WHERE id > ? AND swarm IN ('d1', 'd2', 'd3') ORDER BY id`).pluck().all(tip) as number[])
  await until(() => received.filter((r) => r.id > tip).length >= expected.length, 'every event pushed', 20_000)
  // A duplicate would arrive right behind the original; give it the chance.
  await new Promise((r) => setTimeout(r, 500))

  const got = received.filter((r) => r.id > tip)
  t.ok(expected.length >= TASKS_PER_SWARM * SWARMS.length * 4, `a real load: ${expected.length} events`)
  t.same(got.map((r) => r.id), expected, 'exactly the stored ids, each once, in id order across all three swarms')
  t.ok(got.every((r) => r.topic === r.swarm), 'each on its own swarm\'s channel')

  // The writers really overlapped: each daemon wrote while the others did.
  const spans = SWARMS.map((name) => database.sqlite.prepare(`SELECT MIN(id) AS lo, MAX(id) AS hi FROM events WHERE id > ? AND swarm = ?`).get(tip, name) as { lo: number; hi: number })
  t.ok(spans.every((a) => spans.every((b) => a.lo < b.hi)), 'the three id ranges interleave')

  for (const pid of pids) process.kill(pid, 'SIGTERM')
  await waitFor(() => SWARMS.every((name) => registry.get(name)?.status === 'stopped'), 'daemons stopped', 20_000)
})
