import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { createEngine } from '../lib/engine.js'
import type { SwarmEvent } from '../lib/events/types.js'
import { cliWorkspace } from './helpers/cli.js'

const WRITER = fileURLToPath(new URL('./helpers/write-events.ts', import.meta.url))

t.test('events and logs: filters, order, JSON lines and readable lines', async (t) => {
  const ws = cliWorkspace(t)
  const engine = createEngine({ dbPath: ws.db, buffered: false })
  t.teardown(() => engine.close())
  const emit = (swarm: string, event_type: string, agent: string | null, message: string) => engine.spine.emit({ swarm, event_type, agent, message })
  emit('alpha', 'agent_output', 'writer', 'first draft')
  emit('alpha', 'agent_error', 'writer', 'writer exited unexpectedly')
  emit('beta', 'invalid_route', 'reader', 'no edge')
  emit('alpha', 'message_routed', 'writer', 'writer → reader')
  emit('alpha', 'agent_output', 'reader', 'looks good\nsecond line')

  const json = async (args: string[]) => {
    const r = await ws.run([...args, '--json'])
    t.equal(r.code, 0, r.stderr)
    return r.stdout.trim() ? r.stdout.trim().split('\n').map((l) => JSON.parse(l) as SwarmEvent) : []
  }
  t.same((await json(['events'])).map((e) => e.message), ['first draft', 'writer exited unexpectedly', 'no edge', 'writer → reader', 'looks good\nsecond line'], 'oldest first')
  t.same((await json(['events', '-s', 'alpha', '--limit', '2'])).map((e) => e.message), ['writer → reader', 'looks good\nsecond line'], 'the newest N, oldest first')
  t.same((await json(['events', '--errors'])).map((e) => e.event_type), ['agent_error'])
  t.same((await json(['events', '--warnings'])).map((e) => e.event_type), ['invalid_route'])
  t.same((await json(['events', '--errors', '--warnings'])).map((e) => e.event_type), ['agent_error', 'invalid_route'])
  t.same((await json(['events', '--category', 'routing'])).map((e) => e.event_type), ['invalid_route', 'message_routed'])
  t.same((await json(['events', '-a', 'reader', '--type', 'agent_output'])).map((e) => e.message), ['looks good\nsecond line'])
  t.same((await json(['events', '--minutes', '5', '-s', 'beta'])).map((e) => e.swarm), ['beta'])
  t.same((await json(['logs', 'alpha', 'writer', '-n', '5'])).map((e) => e.event_type), ['agent_output', 'agent_error', 'message_routed'])
  engine.spine.emit({ swarm: 'gamma', event_type: 'agent_status', level: 'debug', agent: 'w', message: 'idle → working', metadata: { state: 'working' } })
  emit('gamma', 'agent_output', 'w', 'done')
  t.same((await json(['logs', 'gamma'])).map((e) => e.event_type), ['agent_output'], 'logs leave debug entries out')
  t.same((await json(['logs', 'gamma', '--debug'])).map((e) => e.event_type), ['agent_status', 'agent_output'], 'unless asked')

  const human = await ws.run(['logs', 'alpha', '-n', '2'])
  const lines = human.stdout.trimEnd().split('\n')
  t.equal(lines.length, 3, 'a multi-line message continues indented')
  t.match(lines[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {4}alpha\/writer message_routed writer → reader$/)
  t.match(lines[1], /^\S+ INFO {4}alpha\/reader agent_output looks good$/)
  t.equal(lines[2], '    second line')
  const none = await ws.run(['events', '-s', 'nobody'])
  t.equal(none.code, 0)
  t.equal(none.stderr, 'no matching events\n')
})

t.test('events --follow --json prints what another process writes, as it is written, and exits 0 on SIGINT', async (t) => {
  const ws = cliWorkspace(t)
  const engine = createEngine({ dbPath: ws.db, buffered: false })
  t.teardown(() => engine.close())
  engine.spine.emit({ swarm: 'a', event_type: 'marker', message: 'before the follow' })

  const follow = ws.spawn(['events', '--follow', '--json', '-s', 'a', '-n', '1'])
  await follow.waitForOutput(/before the follow/)
  // Two writer processes at once; only swarm a passes the filter.
  const writers = ['a', 'b'].map((tag) => new Promise<number | null>((resolve) => {
    spawn(process.execPath, ['--import', 'tsx', WRITER, ws.db, tag, '300'], { stdio: 'ignore' }).on('exit', resolve)
  }))
  t.same(await Promise.all(writers), [0, 0])
  await follow.waitForOutput(/"message":"a 299"/)
  const beforeStop = follow.stdout()
  follow.child.kill('SIGINT')
  const result = await follow.exited
  t.equal(result.code, 0, 'Ctrl-C ends a follow cleanly')
  t.equal(result.stdout, beforeStop, 'nothing half-written after the signal')
  const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as SwarmEvent)
  t.equal(events[0]!.message, 'before the follow')
  const followed = events.slice(1)
  t.equal(followed.length, 300, 'every event of swarm a, once')
  t.ok(followed.every((e) => e.swarm === 'a'), 'the filter holds')
  t.ok(followed.every((e, i) => i === 0 || e.id > followed[i - 1]!.id), 'in id order')
  t.same(new Set(followed.map((e) => e.message)).size, 300)
})

t.test('logs -f follows a swarm, starting with its last lines', async (t) => {
  const ws = cliWorkspace(t)
  const engine = createEngine({ dbPath: ws.db, buffered: false })
  t.teardown(() => engine.close())
  for (const n of [1, 2, 3]) engine.spine.emit({ swarm: 's', agent: 'bot', event_type: 'agent_output', message: `old ${n}` })
  const logs = ws.spawn(['logs', 's', '-f', '-n', '2'])
  await logs.waitForOutput(/old 3/)
  engine.spine.emit({ swarm: 'other', agent: 'bot', event_type: 'agent_output', message: 'not this swarm' })
  engine.spine.emit({ swarm: 's', agent: 'bot', event_type: 'agent_output', message: 'new 4' })
  await logs.waitForOutput(/new 4/)
  logs.child.kill('SIGTERM')
  const result = await logs.exited
  t.equal(result.code, 0)
  t.same(result.stdout.trim().split('\n').map((l) => l.split(' agent_output ')[1]), ['old 2', 'old 3', 'new 4'])
})
