import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createEngine } from '../lib/engine.js'
import { cliWorkspace } from './helpers/cli.js'

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
