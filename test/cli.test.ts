import { spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { createEngine } from '../lib/engine.js'
import type { SwarmEvent } from '../lib/events/types.js'
import { cliWorkspace } from './helpers/cli.js'

const WRITER = fileURLToPath(new URL('./helpers/write-events.ts', import.meta.url))
const ESC = '\x1b['

t.test('--help works for every command', async (t) => {
  const ws = cliWorkspace(t)
  const commands = ['up', 'down', 'start', 'stop', 'restart', 'status', 'task', 'msg', 'logs', 'events', 'config', 'config validate', 'clean', 'scale', 'overlay', 'snapshot']
  const top = await ws.run(['--help'])
  t.equal(top.code, 0)
  for (const command of commands.filter((c) => !c.includes(' '))) t.match(top.stdout, new RegExp(`^  ${command} `, 'm'), `${command} is listed`)
  // Two at a time: the machine has two cores.
  for (let i = 0; i < commands.length; i += 2) {
    const batch = commands.slice(i, i + 2)
    const results = await Promise.all(batch.map((c) => ws.run([...c.split(' '), '--help'])))
    results.forEach((r, j) => {
      t.equal(r.code, 0, `${batch[j]} --help exits 0`)
      t.match(r.stdout, new RegExp(`^Usage: genswarms ${batch[j]} `, 'm'), `${batch[j]} --help shows its usage`)
    })
  }
})

t.test('unknown commands and options fail with one line', async (t) => {
  const ws = cliWorkspace(t)
  const unknown = await ws.run(['frobnicate'])
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /^error: unknown command 'frobnicate'/)
  const option = await ws.run(['status', '--bogus'])
  t.equal(option.code, 1)
  t.match(option.stderr, /^error: unknown option '--bogus'/)
  const category = await ws.run(['events', '--category', 'nonsense'])
  t.equal(category.code, 1)
  t.match(category.stderr, /argument 'nonsense' is invalid\. Allowed choices are swarm, agent, object, routing, backend, system/)
  const limit = await ws.run(['events', '--limit', 'many'])
  t.equal(limit.code, 1)
  t.match(limit.stderr, /--limit must be a whole number, got "many"/)
})

t.test('reading commands do not create a database where none is', async (t) => {
  const ws = cliWorkspace(t)
  const status = await ws.run(['status'])
  t.equal(status.stdout, 'no swarms (start one with: genswarms start <config>)\n')
  const events = await ws.run(['events', '--json'])
  t.equal(events.code, 0)
  t.equal(events.stdout, '')
  const task = await ws.run(['task', 'ghost', 'a', 'hello'])
  t.equal(task.code, 1)
  t.equal(task.stderr, `error: no database at ${ws.db}: nothing has run here yet (use --db or GENSWARMS_DB to point at another)\n`)
  t.notOk(existsSync(ws.db), 'still no database')
})

t.test('config validate: every error of every file, exit 1 if any is invalid', async (t) => {
  const ws = cliWorkspace(t)
  const good = ws.example('research-swarm.yaml')
  writeFileSync(join(ws.dir, 'bad.json'), JSON.stringify({ name: '9lives', agents: [{ name: 'a', backend: 'mock' }], topology: [['a', 'b'], ['c', 'a']] }))
  writeFileSync(join(ws.dir, 'syntax.yaml'), 'name: [unclosed\n')

  const ok = await ws.run(['config', 'validate', good])
  t.equal(ok.code, 0)
  t.equal(ok.stdout, '✓ research-swarm.yaml: research-swarm, 3 agents, 0 objects, 4 edges\n')

  const mixed = await ws.run(['config', 'validate', good, 'bad.json', 'syntax.yaml', 'missing.yml'])
  t.equal(mixed.code, 1)
  t.same(mixed.stdout.trim().split('\n'), [
    '✓ research-swarm.yaml: research-swarm, 3 agents, 0 objects, 4 edges',
    '✗ bad.json: 3 errors',
    '    name: must match ^[A-Za-z][A-Za-z0-9_-]*$, got "9lives"',
    '    topology[0]: unknown node "b"',
    '    topology[1]: unknown node "c"',
    '✗ syntax.yaml: 1 error',
    mixed.stdout.split('\n')[6]!,
    '✗ missing.yml: 1 error',
    `    config file not found: ${join(ws.dir, 'missing.yml')}`,
  ])
  t.match(mixed.stdout.split('\n')[6], /^ {4}.*syntax\.yaml:\d+:\d+: invalid YAML/, 'syntax errors name the line')

  const json = await ws.run(['config', 'validate', good, 'bad.json', '--json'])
  const verdicts = json.stdout.trim().split('\n').map((l) => JSON.parse(l))
  t.match(verdicts, [{ file: good, valid: true, config: { name: 'research-swarm', agents: ['researcher', 'writer', 'reviewer'] } }, { file: 'bad.json', valid: false }])
  t.equal(verdicts[1].errors.length, 3)
})

t.test('colours only on request: NO_COLOR and --no-color win, plain when piped', async (t) => {
  const ws = cliWorkspace(t)
  const good = ws.example('research-swarm.yaml')
  const piped = await ws.run(['config', 'validate', good], { env: { NO_COLOR: undefined } })
  t.notOk(piped.stdout.includes(ESC), 'no escape codes when stdout is not a terminal')
  const forced = await ws.run(['config', 'validate', good], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })
  t.ok(forced.stdout.includes(`${ESC}32m✓`), 'FORCE_COLOR colours the check mark green')
  const flag = await ws.run(['config', 'validate', good, '--no-color'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })
  t.notOk(flag.stdout.includes(ESC), '--no-color wins over FORCE_COLOR')
  const error = await ws.run(['status', 'ghost'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })
  t.equal(error.stderr, `${ESC}31merror: swarm "ghost" not found${ESC}39m\n`, 'errors are one red line')
})

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

t.test('clean removes stopped and crashed swarms; --all also their events', async (t) => {
  const ws = cliWorkspace(t)
  const engine = createEngine({ dbPath: ws.db, buffered: false })
  t.teardown(() => engine.close())
  const dead = spawn(process.execPath, ['-e', ''])
  await new Promise((r) => dead.on('exit', r))
  engine.registry.register({ name: 'done', pid: 1 })
  engine.registry.markStopped('done')
  engine.registry.register({ name: 'gone', pid: dead.pid! })
  engine.registry.register({ name: 'alive', pid: process.pid })
  engine.spine.emit({ swarm: 'done', event_type: 'agent_output', message: 'kept without --all' })
  engine.spine.emit({ swarm: 'gone', event_type: 'agent_output', message: 'purged with --all' })

  const listed = await ws.run(['status', '--json'])
  t.same(JSON.parse(listed.stdout).swarms.map((s: { name: string; status: string }) => [s.name, s.status]), [['alive', 'running'], ['done', 'stopped'], ['gone', 'crashed']])
  const cleaned = await ws.run(['clean'])
  t.equal(cleaned.code, 0)
  t.equal(cleaned.stdout, 'removed 2 swarms: done, gone\n')
  t.same(engine.registry.list().map((r) => r.name), ['alive'])
  t.equal(engine.eventStore.query({ swarm: 'done' }).length, 1, 'events stay without --all')

  engine.registry.register({ name: 'gone', pid: dead.pid! })
  const all = await ws.run(['clean', '--all', '--json'])
  t.same(JSON.parse(all.stdout), { status: 'cleaned', removed: ['gone'] })
  t.equal(engine.eventStore.query({ swarm: 'gone' }).length, 0, '--all deletes their events')
  const nothing = await ws.run(['clean'])
  t.equal(nothing.stdout, 'nothing to clean\n')
})
