import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { runDaemonCommand } from '../lib/daemon/control.js'
import { startDaemon } from '../lib/daemon/run.js'
import { createEngine } from '../lib/engine.js'
import { mockAgent, swarmConfig, tempDir, waitFor } from './helpers/engine.js'

// The typed command queue, end to end: a DaemonHost in one engine, the
// daemon's loop in another, one real database file between them.

const silent = { info() {}, warn() {}, error() {} }

async function setup(t: Test) {
  const dir = tempDir(t)
  const dbPath = join(dir, 'swarms.db')
  const configPath = join(dir, 'q.json')
  writeFileSync(configPath, JSON.stringify(swarmConfig('q', [mockAgent('a'), mockAgent('b')], [['a', 'b']])))
  const client = createEngine({ dbPath, buffered: false })
  t.teardown(() => client.close())
  const daemon = await startDaemon({ configPath, dbPath, logPath: null, logger: silent, pollMs: 20 })
  t.teardown(() => daemon.stop('test over'))
  return { client }
}

const commandCount = (client: ReturnType<typeof createEngine>) =>
  client.database.sqlite.prepare('SELECT COUNT(*) FROM swarm_commands').pluck().get() as number

t.test('a DaemonHost routes messages and mutations through the queue and gets typed answers', async (t) => {
  const { client } = await setup(t)
  const host = client.locate('q')
  t.equal(host.kind, 'daemon')

  t.same(await host.sendMessage({ from: 'a', to: 'b', content: 'psst' }), { status: 'routed', from: 'a', to: 'b', swarm: 'q' })
  await t.rejects(host.sendMessage({ from: 'b', to: 'a', content: 'no edge' }), { code: 'GS_INVALID_ROUTE', statusCode: 400 }, 'the daemon\'s own error comes back by name')

  const scaled = await host.mutate({ op: 'scale', base: 'a', count: 2 })
  t.same(scaled, { added: ['a_1', 'a_2'], removed: [], failed: [], overlay_seq: 1 })
  t.same((await host.status()).agents.map((a) => a.name), ['a', 'b', 'a_1', 'a_2'], 'the overlay is what status reads')
})

t.test('a mutation that cannot apply is refused before anything is queued', async (t) => {
  const { client } = await setup(t)
  const before = commandCount(client)
  await t.rejects(client.locate('q').mutate({ op: 'remove_agent', name: 'ghost' }), { code: 'GS_INVALID_MUTATION' })
  t.equal(commandCount(client), before)
})

t.test('the daemon checks a queued payload with the shared schema', async (t) => {
  const { client } = await setup(t)
  const row = client.registry.enqueueCommand('q', 'mutate', { op: 'reticulate' })
  const done = await waitFor(() => {
    const now = client.registry.getCommand(row.id)
    return now?.status === 'failed' ? now : null
  }, 'the row failed')
  t.match(done.result, { code: 'GS_INVALID_INPUT', statusCode: 400 })
})

t.test('an answer that does not fit the op\'s result schema is a command failure, not a value', async (t) => {
  const dbPath = join(tempDir(t), 'swarms.db')
  const engine = createEngine({ dbPath, buffered: false })
  t.teardown(() => engine.close())
  // A row written by "another version" of the daemon: this test answers the command itself.
  engine.registry.register({ name: 'odd', pid: process.pid })
  const answered = runDaemonCommand(engine.registry, 'odd', 'ping', {}, { what: 'answer a ping', timeoutMs: 5000 })
  const [command] = await waitFor(() => {
    const pending = engine.registry.pendingCommands('odd')
    return pending.length ? pending : null
  }, 'the queued ping')
  engine.registry.finishCommand(command!.id, { result: { pong: 'maybe' } })
  await t.rejects(answered, { code: 'GS_COMMAND_FAILED', message: /could not answer a ping/ })
})
