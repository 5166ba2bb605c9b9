import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { executeCommand } from '../lib/daemon/commands.js'
import { startDaemon } from '../lib/daemon/run.js'
import { createEngine } from '../lib/engine.js'
import { InProcessHost } from '../lib/hosts/index.js'
import { mockAgent, swarmConfig, tempDir, testEngine, waitFor } from './helpers/engine.js'

// The daemon's queue loop and command dispatch, in this process on a real database.

const silent = { info() {}, warn() {}, error() {} }

function setup(t: Test) {
  const dir = tempDir(t)
  const dbPath = join(dir, 'swarms.db')
  const configPath = join(dir, 'q.json')
  writeFileSync(configPath, JSON.stringify(swarmConfig('q', [
    mockAgent('a', [{ match: 'hello', response: 'hi\n@b: psst' }]),
    mockAgent('b', [{ match: 'psst', response: 'heard' }]),
  ], [['a', 'b']])))
  const client = createEngine({ dbPath, buffered: false })
  t.teardown(() => client.close())
  return { dir, dbPath, configPath, client }
}

t.test('tasks are delivered and marked; a bad one fails with its reason and a task_failed event', async (t) => {
  const { dbPath, configPath, client } = setup(t)
  const daemon = await startDaemon({ configPath, dbPath, logPath: null, logger: silent })
  t.teardown(() => daemon.stop('test over'))
  t.match(client.registry.get('q'), { status: 'running', pid: process.pid, config_path: configPath })

  const good = client.registry.enqueueTask('q', 'a', 'hello there')
  const bad = client.registry.enqueueTask('q', 'ghost', 'hello?')
  await waitFor(() => client.registry.getTask(good.id)?.status === 'processed' && client.registry.getTask(bad.id)?.status === 'failed', 'both tasks handled')
  t.equal(client.registry.getTask(bad.id)!.error, 'agent "ghost" not found in swarm "q"')
  await waitFor(() => client.eventStore.query({ swarm: 'q', agent: 'b', event_type: 'agent_output' }).length > 0, 'b answered', 5000)
  const failed = client.eventStore.query({ swarm: 'q', event_type: 'task_failed' })
  t.equal(failed.length, 1)
  t.match(failed[0], { level: 'error', agent: 'ghost', metadata: { task_id: bad.id } })
})

t.test('commands: ping, message, unknown op and stop, each result stored on its row', async (t) => {
  const { dbPath, configPath, client } = setup(t)
  const daemon = await startDaemon({ configPath, dbPath, logPath: null, logger: silent })
  const done = (id: number) => waitFor(() => {
    const row = client.registry.getCommand(id)
    return row && row.status !== 'pending' ? row : null
  }, `command ${id}`)

  const ping = await done(client.registry.enqueueCommand('q', 'ping', {}).id)
  t.match(ping, { status: 'processed', result: { pong: true, swarm: 'q', pid: process.pid } })

  const routed = await done(client.registry.enqueueCommand('q', 'message', { from: 'a', to: 'b', content: 'psst' }).id)
  t.same(routed.result, { status: 'routed', from: 'a', to: 'b', swarm: 'q' })

  const refused = await done(client.registry.enqueueCommand('q', 'message', { from: 'b', to: 'a', content: 'no edge' }).id)
  t.match(refused, { status: 'failed', result: { code: 'GS_INVALID_ROUTE', statusCode: 400, error: /no topology edge from "b" to "a"/ } })

  const malformed = await done(client.registry.enqueueCommand('q', 'message', { from: 'a', to: 'b' }).id)
  t.match(malformed.result, { code: 'GS_INVALID_INPUT', error: '"content" must be a non-empty string' })

  const unknown = await done(client.registry.enqueueCommand('q', 'reticulate', {}).id)
  t.match(unknown.result, { code: 'GS_UNKNOWN_COMMAND', statusCode: 400, error: 'unknown swarm command "reticulate"' })
  // The daemon buffers its event writes, so they land a moment after the rows.
  await waitFor(() => client.eventStore.query({ swarm: 'q', event_type: 'command_failed' }).length === 3, 'a command_failed event for each failure')

  // A task queued with the stop is never delivered: it fails with a reason instead.
  const stop = client.registry.enqueueCommand('q', 'stop', {})
  const late = client.registry.enqueueTask('q', 'a', 'hello after stop')
  await daemon.stopped
  t.match(client.registry.getCommand(stop.id), { status: 'processed', result: { stopping: true } })
  t.match(client.registry.getTask(late.id), { status: 'failed', error: 'swarm q stopped before this was delivered' })
  t.equal(client.registry.get('q')!.status, 'stopped')
  t.same(client.eventStore.query({ swarm: 'q', limit: 2 }).map((e) => e.event_type), ['daemon_stopped', 'swarm_stopped'], 'flushed before it returned')
})

t.test('a swarm another live process holds is refused, and the row is left alone', async (t) => {
  const { dbPath, configPath, client } = setup(t)
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'])
  t.teardown(() => other.kill('SIGKILL'))
  await new Promise((r) => other.once('spawn', r))
  client.registry.register({ name: 'q', pid: other.pid! })
  await t.rejects(startDaemon({ configPath, dbPath, logPath: null, logger: silent }), { code: 'GS_SWARM_ALREADY_RUNNING' })
  t.match(client.registry.get('q'), { status: 'running', pid: other.pid })
})

t.test('a daemon whose every agent fails to start exits with the reason and leaves the row stopped', async (t) => {
  const { dir, dbPath, client } = setup(t)
  const configPath = join(dir, 'broken.json')
  writeFileSync(configPath, JSON.stringify(swarmConfig('broken', [
    { name: 'x', backend: { type: 'local', command: [join(dir, 'no-such-program')] }, skills: [], config: {} },
  ])))
  await t.rejects(startDaemon({ configPath, dbPath, logPath: null, logger: silent }), { code: 'GS_BACKEND_START_FAILED' })
  t.equal(client.registry.get('broken')!.status, 'stopped')
})

t.test('executeCommand dispatches by op name only', async (t) => {
  const engine = testEngine(t)
  await engine.swarmManager.start(swarmConfig('e', [mockAgent('a')]))
  const host = new InProcessHost('e', engine.reach)
  const ctx = { host, requestStop: () => {} }
  t.match(await executeCommand('ping', {}, ctx), { pong: true, swarm: 'e' })
  await t.rejects(executeCommand('toString', {}, ctx), { code: 'GS_UNKNOWN_COMMAND' }, 'inherited object keys are not ops')
  let stopped = ''
  await executeCommand('stop', {}, { host, requestStop: (reason: string) => (stopped = reason) })
  t.equal(stopped, 'stop command')
})
