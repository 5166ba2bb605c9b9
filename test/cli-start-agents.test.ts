import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createEngine } from '../lib/engine.js'
import { cliWorkspace, EXAMPLES } from './helpers/cli.js'
import { waitFor } from './helpers/engine.js'

// A daemon started from another directory than its config's: the agents'
// scripts are found next to the config, and an agent that dies at start makes
// the start fail, saying which agent and why.

t.test('a local swarm started from elsewhere finds its scripts next to the config', async (t) => {
  const ws = cliWorkspace(t)
  const project = join(ws.dir, 'project')
  mkdirSync(project)
  cpSync(join(EXAMPLES, 'local-swarm.yaml'), join(project, 'local-swarm.yaml'))
  cpSync(join(EXAMPLES, 'agents'), join(project, 'agents'), { recursive: true })

  const start = await ws.run(['start', 'project/local-swarm.yaml'])
  t.equal(start.code, 0, start.stderr)
  t.equal(start.stderr, '', 'no agent died')

  const task = await ws.run(['task', 'local-swarm', 'worker', 'build v1.2\n@auditor: build of v1.2 done'])
  t.equal(task.code, 0, task.stderr)
  const store = createEngine({ dbPath: ws.db, buffered: false })
  t.teardown(() => store.close())
  await waitFor(() => store.eventStore.query({ swarm: 'local-swarm', agent: 'worker', event_type: 'agent_output' }).length > 0, 'the worker, a real process, to answer', 30_000)
  t.same(store.eventStore.query({ swarm: 'local-swarm', event_type: 'agent_error' }), [], 'no agent exited')
  t.equal((await ws.run(['stop', 'local-swarm'])).code, 0)
})

t.test('an agent that dies at start fails the start with its stderr, at the normal log level', async (t) => {
  const ws = cliWorkspace(t)
  writeFileSync(join(ws.dir, 'broken.yaml'), [
    'name: broken',
    'agents:',
    '  - name: ghost',
    '    backend: {type: local, command: [node, no-such-script.mjs]}',
    '  - name: fine',
    '    backend: mock',
    '',
  ].join('\n'))

  const start = await ws.run(['start', 'broken.yaml'])
  t.equal(start.code, 1, 'the start fails')
  t.match(start.stdout, /started swarm broken as a daemon/)
  t.match(start.stderr, /1 of 2 agents of broken failed at start/)
  t.match(start.stderr, /ghost: agent ghost exited unexpectedly \(code 1\): Error( \[ERR_MODULE_NOT_FOUND\])?: Cannot find module '.*no-such-script\.mjs'/)

  const logs = await ws.run(['logs', 'broken'])
  t.match(logs.stdout, /Cannot find module/, 'logs shows why without --debug')
  t.equal((await ws.run(['stop', 'broken'])).code, 0)
})
