import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openDatabase } from '../lib/db/open.js'
import { isPidAlive } from '../lib/db/registry.js'
import type { SwarmEvent } from '../lib/events/types.js'
import { cliWorkspace } from './helpers/cli.js'
import { waitFor } from './helpers/engine.js'
import { collect, outcome, phoenixSocket, startServer, until } from './helpers/server.js'

// The whole daemon story through real processes: the CLI, the detached daemon
// it starts, a server beside it and a phoenix client, all on one temp database.

const ws = cliWorkspace(t)
const config = {
  name: 'scripted',
  agents: [
    { name: 'lead', backend: { type: 'mock', script: [{ match: '^research (.*)', response: 'on it\n@helper: look up the details' }] } },
    { name: 'helper', backend: { type: 'mock', script: [{ match: 'look up', response: 'details found' }] } },
  ],
  topology: [['lead', 'helper']],
}
writeFileSync(join(ws.dir, 'scripted.json'), JSON.stringify(config))
const registry = ws.registry()
const database = openDatabase(ws.db)
t.teardown(() => database.close())

/** Events as stored, read fresh each time (the daemon writes them from another process). */
function eventsOf(where: string): SwarmEvent[] {
  return (database.sqlite.prepare(`SELECT * FROM events WHERE ${where} ORDER BY id`).all() as (Omit<SwarmEvent, 'metadata'> & { metadata: string })[])
    .map((e) => ({ ...e, metadata: JSON.parse(e.metadata ?? '{}') as Record<string, unknown> }))
}

let daemonPid = 0

t.test('start launches a detached daemon that registers itself running', async (t) => {
  const started = await ws.run(['start', 'scripted.json'])
  t.equal(started.code, 0, started.stderr)
  const match = /started swarm scripted as a daemon \(pid (\d+)\); log: (.+)$/m.exec(started.stdout)
  t.ok(match, started.stdout)
  daemonPid = Number(match![1])
  t.ok(isPidAlive(daemonPid), 'the daemon outlives the start command')
  const record = registry.get('scripted')!
  t.equal(record.status, 'running')
  t.equal(record.pid, daemonPid)
  t.equal(record.log_path, join(ws.dir, '.genswarms', 'logs', 'scripted.log'))
  t.ok(existsSync(record.log_path!), 'the log file exists')
  t.match(readFileSync(record.log_path!, 'utf8'), /"msg":"daemon running"/, 'the daemon logs JSON lines to it')
})

t.test('status shows it running, as a table and as JSON', async (t) => {
  const table = await ws.run(['status'])
  t.equal(table.code, 0)
  t.match(table.stdout, new RegExp(`^scripted\\s+running\\s+${daemonPid}\\s+2\\s`, 'm'))
  const one = await ws.run(['status', 'scripted', '--json'])
  const status = JSON.parse(one.stdout)
  t.match(status, { name: 'scripted', status: 'running', pid: daemonPid, source: 'daemon' })
  t.same(status.topology, [{ from: 'lead', targets: ['helper'] }, { from: 'helper', targets: [] }])
})

t.test('a second start of the running swarm is refused and changes nothing', async (t) => {
  const again = await ws.run(['start', 'scripted.json'])
  t.equal(again.code, 1)
  t.match(again.stderr, /^error: swarm "scripted" is already running \(pid \d+\)/)
  t.equal(again.stderr.trim().split('\n').length, 1, 'one line')
  t.equal(registry.get('scripted')!.pid, daemonPid)
})

t.test('task through the queue reaches the agent; its output lands in events', async (t) => {
  const sent = await ws.run(['task', 'scripted', 'lead', 'research', 'transistors', '--json'])
  t.equal(sent.code, 0, sent.stderr)
  const answer = JSON.parse(sent.stdout)
  t.match(answer, { status: 'queued', via: 'queue', swarm: 'scripted', agent: 'lead' })
  await waitFor(() => eventsOf("swarm = 'scripted' AND event_type = 'agent_output' AND agent = 'helper'").length > 0, 'helper output', 20_000)
  const outputs = eventsOf("swarm = 'scripted' AND event_type = 'agent_output'").map((e) => [e.agent, e.message])
  t.same(outputs, [['lead', 'on it\n@helper: look up the details'], ['helper', 'details found']], 'the task ran and the agents talked')
  t.equal(registry.getTask(answer.task_id)!.status, 'processed', 'the queue row is marked processed')

  const shown = await ws.run(['events', '-s', 'scripted', '--type', 'agent_output', '--json'])
  t.same(shown.stdout.trim().split('\n').map((l) => JSON.parse(l).message), ['on it\n@helper: look up the details', 'details found'], 'events reads them back')
})

t.test('msg routes through the daemon, topology-checked', async (t) => {
  const ok = await ws.run(['msg', 'scripted', 'lead', 'helper', 'look', 'up', 'more'])
  t.equal(ok.code, 0, ok.stderr)
  t.match(ok.stdout, /routed lead → helper in scripted/)
  const refused = await ws.run(['msg', 'scripted', 'helper', 'lead', 'backwards'])
  t.equal(refused.code, 1)
  t.match(refused.stderr, /^error: no topology edge from "helper" to "lead"/)
  t.ok(eventsOf("swarm = 'scripted' AND event_type = 'invalid_route'").length > 0, 'the refusal is an event too')
})

t.test('a server beside the daemon: a phoenix client joined to the daemon swarm sees it live', async (t) => {
  const server = await startServer(t, { dbPath: ws.db, cwd: ws.dir })
  const socket = phoenixSocket(t, server.socketUrl)
  const channel = socket.channel('swarm:scripted', {})
  t.same(await outcome(channel.join()), { status: 'ok', response: { swarm: 'scripted' } }, 'join falls back to the registry')
  const pushed = collect(channel, ['event'])
  const subscribed = await outcome(channel.push('subscribe_events', { filters: {} }))
  t.equal(subscribed.status, 'ok')
  t.ok(subscribed.response.recent_events.some((e: SwarmEvent) => e.message === 'details found'), 'history from the daemon comes with the subscription')

  const status = await outcome(channel.push('get_status', {}))
  t.match(status, { status: 'ok', response: { name: 'scripted', status: 'running', pid: daemonPid } }, 'get_status answers from the registry')

  const sent = await outcome(channel.push('send_task', { agent: 'lead', task: 'research sockets' }))
  t.same(sent, { status: 'ok', response: { status: 'sent' } }, 'send_task queues for the daemon')
  await until(() => pushed.some((p) => p.payload.event_type === 'agent_output' && p.payload.agent === 'helper'), 'the daemon output as event pushes', 20_000)
  const outputs = pushed.filter((p) => p.payload.event_type === 'agent_output').map((p) => [p.payload.agent, p.payload.message])
  t.same(outputs, [['lead', 'on it\n@helper: look up the details'], ['helper', 'details found']])
  const ids = pushed.map((p) => p.payload.id as number)
  t.same(ids, [...new Set(ids)].sort((a, b) => a - b), 'each id once, in order')
  const stored = eventsOf(`swarm = 'scripted' AND id >= ${ids[0]} AND id <= ${ids.at(-1)}`).map((e) => e.id)
  t.same(ids, stored, 'no gaps: every stored event of the swarm in that range was pushed')

  // With a server answering, `task` goes over HTTP, and the daemon still runs it.
  const before = pushed.length
  const viaHttp = await ws.run(['task', 'scripted', 'lead', 'research', 'http'], { env: { GENSWARMS_URL: server.http } })
  t.equal(viaHttp.code, 0, viaHttp.stderr)
  t.match(viaHttp.stdout, new RegExp(`sent task to scripted/lead via the server at ${server.http}`))
  await until(() => pushed.slice(before).some((p) => p.payload.agent === 'helper' && p.payload.event_type === 'agent_output'), 'output of the HTTP task', 20_000)

  const rest = await server.app.inject({ method: 'GET', url: '/api/swarms/scripted' })
  t.match(rest.json(), { name: 'scripted', status: 'running', source: 'daemon', pid: daemonPid }, 'REST sees the daemon')
  t.teardown(() => channel.leave())
})

t.test('stop: the daemon stops its agents, flushes its events and marks itself stopped', async (t) => {
  const stopped = await ws.run(['stop', 'scripted'])
  t.equal(stopped.code, 0, stopped.stderr)
  t.match(stopped.stdout, /stopped swarm scripted/)
  t.equal(registry.get('scripted')!.status, 'stopped')
  t.notOk(isPidAlive(daemonPid), 'the process has exited')
  const tail = eventsOf("swarm = 'scripted'").slice(-4).map((e) => e.event_type)
  t.same(tail.slice(-2), ['swarm_stopped', 'daemon_stopped'], 'its last events were flushed before it exited')
  t.ok(tail.includes('agent_stopped'))
  const after = await ws.run(['stop', 'scripted'])
  t.equal(after.code, 1)
  t.match(after.stderr, /^error: swarm "scripted" is not running \(stopped\)$/m)
})

t.test('restart brings it back under a new daemon; --delete starts from a clean slate', async (t) => {
  const restarted = await ws.run(['restart', 'scripted', '--json'])
  t.equal(restarted.code, 0, restarted.stderr)
  const first = JSON.parse(restarted.stdout)
  t.match(first, { swarm: 'scripted', status: 'running' })
  t.not(first.pid, daemonPid)
  const clean = await ws.run(['restart', 'scripted', '--delete', '--json'])
  t.equal(clean.code, 0, clean.stderr)
  const second = JSON.parse(clean.stdout)
  t.notOk(isPidAlive(first.pid), 'the previous daemon was stopped')
  t.equal(registry.get('scripted')!.pid, second.pid)
  await waitFor(() => eventsOf("swarm = 'scripted' AND event_type = 'daemon_started'").length > 0, 'the new daemon event', 10_000)
  t.notOk(eventsOf("swarm = 'scripted' AND event_type = 'agent_output'").length, 'older events were purged')
  daemonPid = second.pid
})

t.test('a SIGKILLed daemon reads crashed in the CLI and over REST', async (t) => {
  process.kill(daemonPid, 'SIGKILL')
  await waitFor(() => !isPidAlive(daemonPid), 'the daemon to die', 10_000)
  const status = await ws.run(['status', 'scripted', '--json'])
  t.equal(JSON.parse(status.stdout).status, 'crashed')
  const table = await ws.run(['status'])
  t.match(table.stdout, /^scripted\s+crashed\s/m)
  const server = await startServer(t, { dbPath: ws.db, cwd: ws.dir })
  const rest = await server.app.inject({ method: 'GET', url: '/api/swarms/scripted' })
  t.equal(rest.json().status, 'crashed')
  const task = await ws.run(['task', 'scripted', 'lead', 'research', 'anything'])
  t.equal(task.code, 1)
  t.equal(task.stderr, 'error: swarm "scripted" is not running (crashed)\n')
})

t.test('bad input', async (t) => {
  const missing = await ws.run(['start', 'nope.yaml'])
  t.equal(missing.code, 1)
  t.equal(missing.stderr, `error: config file not found: ${join(ws.dir, 'nope.yaml')}\n`)

  writeFileSync(join(ws.dir, 'broken.yaml'), 'name: broken\nagents:\n  - name: a\n    backend: nope\n  - name: a\n    backend: mock\ntopology:\n  - [a, ghost]\n')
  const invalid = await ws.run(['start', 'broken.yaml'])
  t.equal(invalid.code, 1)
  t.same(invalid.stderr.trim().split('\n'), [
    'error: broken.yaml is not a valid swarm config (3 errors):',
    '  agents[0].backend: unknown backend "nope" (expected "mock", "local", "openai", "anthropic")',
    '  agents[1].name: duplicate name "a"',
    '  topology[0]: unknown node "ghost"',
  ])
  t.equal(registry.get('broken'), null, 'nothing was registered')
  t.notOk(existsSync(join(ws.dir, '.genswarms', 'logs', 'broken.log')), 'no daemon was spawned')

  const unknown = await ws.run(['task', 'ghost', 'lead', 'hello'])
  t.equal(unknown.code, 1)
  t.equal(unknown.stderr, 'error: swarm "ghost" not found\n', 'one clear line')
  t.equal(unknown.stdout, '')
})
