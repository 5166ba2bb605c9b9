import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { CrashWatcher } from '../lib/daemon/crash-watcher.js'
import { openDatabase } from '../lib/db/open.js'
import { isPidAlive } from '../lib/db/registry.js'
import { createEngine } from '../lib/engine.js'
import { cliWorkspace } from './helpers/cli.js'
import { waitFor } from './helpers/engine.js'
import { collect, outcome, phoenixSocket, startServer, until } from './helpers/server.js'

// A real daemon, SIGKILLed with two tasks taken and unanswered: joined sockets
// are told, the tasks stay visible as pending, and the next daemon of the
// swarm runs them again, marked as redelivered.

const ws = cliWorkspace(t)
writeFileSync(join(ws.dir, 'crashy.json'), JSON.stringify({
  name: 'crashy',
  agents: [{ name: 'w', backend: { type: 'mock', script: [{ match: '^job', response: 'answer', delay_ms: 1000 }] } }],
}))
const database = openDatabase(ws.db)
t.teardown(() => database.close())
const count = (sql: string, ...args: unknown[]) => database.sqlite.prepare(sql).pluck().get(...args) as number
const outputs = () => (database.sqlite.prepare("SELECT metadata FROM events WHERE swarm = 'crashy' AND event_type = 'agent_output' ORDER BY id").pluck().all() as string[])
  .map((m) => JSON.parse(m) as { task_id?: number; redelivered?: boolean })

t.test('a SIGKILLed daemon is pushed as swarm_stopped {status: "crashed"}, recorded once', async (t) => {
  const started = await ws.run(['start', 'crashy.json', '--json'])
  t.equal(started.code, 0, started.stderr)
  const pid = JSON.parse(started.stdout).pid as number
  const server = await startServer(t, { dbPath: ws.db, cwd: ws.dir })

  const socket = phoenixSocket(t, server.socketUrl)
  const channel = socket.channel('swarm:crashy', {})
  const stops = collect(channel, ['swarm_stopped'])
  t.equal((await outcome(channel.join())).status, 'ok')
  for (const task of ['job one', 'job two']) t.same(await outcome(channel.push('send_task', { agent: 'w', task })), { status: 'ok', response: { status: 'sent' } })
  await waitFor(() => count("SELECT COUNT(*) FROM tasks WHERE swarm = 'crashy' AND attempts = 1") === 2, 'the daemon to take both tasks', 20_000)

  // The daemon buffers its event writes; wait for them rather than kill before they land.
  await waitFor(() => count("SELECT COUNT(*) FROM events WHERE swarm = 'crashy' AND event_type = 'task_sent'") === 2, 'both task_sent stored', 20_000)
  const firstRun = (database.sqlite.prepare("SELECT metadata FROM events WHERE swarm = 'crashy' AND event_type = 'task_sent' ORDER BY id").pluck().all() as string[]).map((m) => JSON.parse(m))
  t.match(firstRun, [{ task: 'job one', redelivered: false }, { task: 'job two', redelivered: false }], 'a first run is not marked redelivered')
  t.ok(firstRun.every((m) => typeof m.task_id === 'number'), 'and names its task')

  process.kill(pid, 'SIGKILL')
  await until(() => stops.length > 0, 'the crash push', 20_000)
  t.same(stops, [{ event: 'swarm_stopped', payload: { status: 'crashed' } }], 'the seed push, with the status that says why')
  t.notOk(isPidAlive(pid))

  const crashed = database.sqlite.prepare("SELECT level, category FROM events WHERE swarm = 'crashy' AND event_type = 'swarm_crashed'").all()
  t.same(crashed, [{ level: 'error', category: 'swarm' }], 'one stored event')
  t.equal(count("SELECT COUNT(*) FROM swarms WHERE name = 'crashy' AND status = 'crashed'"), 1, 'the crash is stored on the row')
  // A second watcher on the same database (another server) finds nothing left to record.
  const other = createEngine({ dbPath: ws.db, buffered: false })
  t.teardown(() => other.close())
  t.same(new CrashWatcher({ registry: other.registry, spine: other.spine }).check(), [])

  const events = await ws.run(['events', '-s', 'crashy', '--type', 'swarm_crashed', '--json'])
  t.equal(events.code, 0, events.stderr)
  t.match(JSON.parse(events.stdout.trim()), { event_type: 'swarm_crashed', level: 'error', metadata: { pid } }, 'the CLI shows it')

  // Unanswered tasks of the crashed swarm stay visible.
  t.equal((await outcome(channel.push('get_status', {}))).response.pending_tasks, 2)
  const pending = await server.app.inject({ method: 'GET', url: '/api/swarms/crashy/tasks?status=pending' })
  t.equal(pending.statusCode, 200)
  t.match(pending.json(), { swarm: 'crashy', count: 2, pending: 2 })
  t.same(pending.json().tasks.map((q: { task: string; attempts: number }) => [q.task, q.attempts]), [['job two', 1], ['job one', 1]])
  t.equal((await server.app.inject({ method: 'GET', url: '/api/swarms/crashy/tasks?limit=1' })).json().tasks.length, 1)
  for (const query of ['limit=0', 'limit=abc', 'status=lost']) {
    const bad = await server.app.inject({ method: 'GET', url: `/api/swarms/crashy/tasks?${query}` })
    t.equal(bad.statusCode, 400, query)
  }
  t.equal((await server.app.inject({ method: 'GET', url: '/api/swarms/ghost/tasks' })).statusCode, 404)
})

t.test('starting the crashed swarm again runs its unfinished tasks, marked as redelivered', async (t) => {
  t.equal(outputs().length, 0, 'nothing was answered before the crash')
  const again = await ws.run(['start', 'crashy.json'])
  t.equal(again.code, 0, again.stderr)
  await waitFor(() => outputs().length === 2, 'both tasks answered', 30_000)
  const ids = database.sqlite.prepare("SELECT id FROM tasks WHERE swarm = 'crashy' ORDER BY id").pluck().all() as number[]
  t.same(outputs(), ids.map((id) => ({ task_id: id, redelivered: true })), 'each answer names its task and says it is a re-run')
  await waitFor(() => count("SELECT COUNT(*) FROM tasks WHERE swarm = 'crashy' AND status = 'processed'") === 2, 'rows marked done')
  t.same(database.sqlite.prepare("SELECT attempts FROM tasks WHERE swarm = 'crashy'").pluck().all(), [2, 2])
  // Every event of those turns carries the task id.
  const untagged = count("SELECT COUNT(*) FROM events WHERE swarm = 'crashy' AND event_type IN ('task_sent', 'agent_output') AND json_extract(metadata, '$.task_id') IS NULL")
  t.equal(untagged, 0)
  t.equal((await ws.run(['stop', 'crashy'])).code, 0)
})
