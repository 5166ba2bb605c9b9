import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { startDaemon } from '../lib/daemon/run.js'
import { errors } from '../lib/errors.js'
import { mockAgent, swarmConfig, waitFor } from './helpers/engine.js'
import { outcome, phoenixSocket, startServer } from './helpers/server.js'

// One schema per operation, three surfaces: the REST body, the socket payload
// and the daemon's queued command refuse the same input.

const silent = { info() {}, warn() {}, error() {} }

t.test('a message without content is refused by REST and by the daemon queue, each in its own words', async (t) => {
  const server = await startServer(t)
  const configPath = join(server.dir, 'd.json')
  writeFileSync(configPath, JSON.stringify(swarmConfig('d', [mockAgent('a'), mockAgent('b')], [['a', 'b']])))
  const daemon = await startDaemon({ configPath, dbPath: join(server.dir, 'swarms.db'), logPath: null, logger: silent, pollMs: 20 })
  t.teardown(() => daemon.stop('test over'))

  const rest = await fetch(`${server.http}/api/swarms/d/message`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: 'a', to: 'b', content: '' }),
  })
  t.equal(rest.status, 400)
  t.same(await rest.json(), { error: 'body/content must NOT have fewer than 1 characters', code: errors.invalidInput.code })

  const { registry } = server.app
  const row = registry.enqueueCommand('d', 'message', { from: 'a', to: 'b', content: '' })
  const failed = await waitFor(() => {
    const now = registry.getCommand(row.id)
    return now?.status === 'failed' ? now : null
  }, 'the queued message to fail')
  t.same(failed.result, { error: '"content" must be a non-empty string', code: errors.invalidInput.code, statusCode: 400 })
})

t.test('send_task: the socket drops unknown fields where REST refuses them; a bad field answers its old reason and a code', async (t) => {
  const server = await startServer(t)
  await server.app.swarmManager.start(swarmConfig('s', [mockAgent('a', [{ match: '.*', response: 'ok' }])]))
  const channel = phoenixSocket(t, server.socketUrl).channel('swarm:s', {})
  t.equal((await outcome(channel.join())).status, 'ok')

  t.same(await outcome(channel.push('send_task', { agent: 'a', task: 'x', urgent: true })), { status: 'ok', response: { status: 'sent' } })
  t.same(await outcome(channel.push('send_task', { agent: 'a', task: 7 })), { status: 'error', response: { reason: 'task must be a string', code: errors.invalidInput.code } })
  t.same(await outcome(channel.push('send_task', { agent: '', task: 7 })), { status: 'error', response: { reason: 'agent must be a non-empty string', code: errors.invalidInput.code } }, 'agent is named first, as it always was')
  t.same(await outcome(channel.push('send_task', { agent: 'a', task: '' })), { status: 'ok', response: { status: 'sent' } }, 'an empty task is still accepted on the socket')

  const rest = await fetch(`${server.http}/api/swarms/s/agents/a/task`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'x', urgent: true }),
  })
  t.equal(rest.status, 400)
  t.same(await rest.json(), { error: 'body/urgent is not allowed', code: errors.invalidInput.code })
})
