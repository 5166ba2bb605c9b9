import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { startDaemon } from '../lib/daemon/run.js'
import { createEngine } from '../lib/engine.js'
import { errors } from '../lib/errors.js'
import { INBOX_LIMIT, MESSAGE_INBOX_LIMIT } from '../lib/swarm/agent.js'
import { cliWorkspace } from './helpers/cli.js'
import { mockAgent, swarmConfig, tempDir, waitFor } from './helpers/engine.js'
import { outcome, phoenixSocket, startServer } from './helpers/server.js'

// A full inbox refuses the request at once, to whoever made it; nothing that
// was accepted is dropped. `slow` never finishes a turn inside a test, so its
// inbox only fills.

const NEVER = 3_600_000
const silent = { info() {}, warn() {}, error() {} }

t.test('in process: the task past the limit is refused on the socket and over REST; every accepted one is kept', async (t) => {
  const server = await startServer(t)
  const manager = server.app.swarmManager
  await manager.start(swarmConfig('full', [
    mockAgent('slow', [{ match: '.', response: 'done', delay_ms: NEVER }]),
    mockAgent('talker', [{ match: 'chat', response: '@slow: one more' }]),
  ], [['talker', 'slow']]))
  t.teardown(() => manager.stop('full').catch(() => {}))

  const socket = phoenixSocket(t, server.socketUrl)
  const channel = socket.channel('swarm:full', {})
  t.equal((await outcome(channel.join())).status, 'ok')
  // One task is being worked on, INBOX_LIMIT wait; all pipelined at once.
  const replies = await Promise.all(
    Array.from({ length: INBOX_LIMIT + 3 }, (_, i) => outcome(channel.push('send_task', { agent: 'slow', task: `task ${i}` }))),
  )
  t.same(replies.slice(0, INBOX_LIMIT + 1).filter((r) => r.status !== 'ok'), [], 'every task that fits is accepted')
  t.same(replies.slice(INBOX_LIMIT + 1), [
    { status: 'error', response: { reason: 'inbox_full', code: errors.inboxFull.code } },
    { status: 'error', response: { reason: 'inbox_full', code: errors.inboxFull.code } },
  ], 'the rest are refused, not dropped after an ok')
  t.equal(manager.agentStatus('full', 'slow').inbox, INBOX_LIMIT, 'every accepted task waits in the inbox')
  const sent = server.app.engine.database.sqlite.prepare("SELECT COUNT(*) FROM events WHERE swarm = 'full' AND event_type = 'task_sent'").pluck().get()
  t.equal(sent, INBOX_LIMIT + 1, 'a refused task leaves no task_sent')
  t.equal(server.app.eventStore.query({ swarm: 'full', event_type: 'inbox_full' }).length, 0, 'no silent drop')

  const rest = await server.app.inject({ method: 'POST', url: '/api/swarms/full/agents/slow/task', payload: { task: 'one too many' } })
  t.equal(rest.statusCode, 429)
  t.match(rest.json(), { code: 'GS_INBOX_FULL', error: /agent "slow" in swarm "full"/ })
  t.equal((await outcome(channel.push('get_status', {}))).status, 'ok', 'the channel keeps serving')
})

t.test('in process: messages have their own bound; REST is refused with 429, an agent\'s message is dropped with an error event', async (t) => {
  const server = await startServer(t)
  const manager = server.app.swarmManager
  await manager.start(swarmConfig('chatty', [
    mockAgent('slow', [{ match: '.', response: 'done', delay_ms: NEVER }]),
    mockAgent('talker', [{ match: 'chat', response: '@slow: one more' }]),
  ], [['talker', 'slow']]))
  t.teardown(() => manager.stop('chatty').catch(() => {}))

  // The first message starts a turn that never ends; the next MESSAGE_INBOX_LIMIT wait.
  for (let i = 0; i <= MESSAGE_INBOX_LIMIT; i++) manager.routeMessage('chatty', 'talker', 'slow', `m${i}`)
  t.equal(manager.agentStatus('chatty', 'slow').inbox, MESSAGE_INBOX_LIMIT)
  const rest = await server.app.inject({ method: 'POST', url: '/api/swarms/chatty/message', payload: { from: 'talker', to: 'slow', content: 'hello?' } })
  t.equal(rest.statusCode, 429, 'a REST message is refused to its sender')
  t.equal(rest.json().code, 'GS_INBOX_FULL')

  // Tasks are bounded separately: a full message inbox still takes a task.
  t.equal((await server.app.inject({ method: 'POST', url: '/api/swarms/chatty/agents/slow/task', payload: { task: 'urgent' } })).statusCode, 200)

  // An agent's own message cannot be refused to it: it is dropped, visibly.
  manager.sendTask('chatty', 'talker', 'chat')
  const dropped = await waitFor(() => server.app.eventStore.query({ swarm: 'chatty', event_type: 'message_dropped' })[0], 'message_dropped')
  t.match(dropped, { level: 'error', agent: 'slow', metadata: { from: 'talker', limit: MESSAGE_INBOX_LIMIT } })
})

t.test('daemon: pending rows count against the limit, and the daemon leaves what does not fit pending', async (t) => {
  const dir = tempDir(t)
  const dbPath = join(dir, 'swarms.db')
  const configPath = join(dir, 'd.json')
  writeFileSync(configPath, JSON.stringify(swarmConfig('d', [mockAgent('slow', [{ match: '.', response: 'done', delay_ms: NEVER }])])))
  const client = createEngine({ dbPath, buffered: false })
  t.teardown(() => client.close())
  const daemon = await startDaemon({ configPath, dbPath, logPath: null, logger: silent })
  t.teardown(() => daemon.stop('test over'))
  const count = (sql: string) => client.database.sqlite.prepare(sql).pluck().get() as number

  // Bypass the bound (as a second writer racing it might) to see what the daemon does with an excess.
  const extra = 50
  for (let i = 0; i < INBOX_LIMIT + 1 + extra; i++) client.registry.enqueueTask('d', 'slow', `task ${i}`)
  await waitFor(() => count('SELECT COUNT(*) FROM tasks WHERE attempts > 0') === INBOX_LIMIT + 1, 'the daemon to fill the agent')
  // Commands run at the start of a pass and tasks at its end: after the second ping a whole pass saw the full inbox.
  for (const _ of [1, 2]) {
    const ping = client.registry.enqueueCommand('d', 'ping', {})
    await waitFor(() => client.registry.getCommand(ping.id)?.status === 'processed', 'ping')
  }
  t.equal(count('SELECT COUNT(*) FROM tasks WHERE attempts > 0'), INBOX_LIMIT + 1, 'no more taken than fit')
  t.equal(count("SELECT COUNT(*) FROM tasks WHERE status = 'pending'"), INBOX_LIMIT + 1 + extra, 'nothing marked done or failed')
  t.equal(count("SELECT COUNT(*) FROM events WHERE event_type IN ('inbox_full', 'message_dropped', 'task_failed')"), 0, 'nothing dropped')

  t.throws(() => client.locate('d').sendTask({ agent: 'slow', task: 'refused' }), { code: 'GS_INBOX_FULL', statusCode: 429 }, 'a new task is refused at once')
  t.equal((await client.locate('d').status()).pending_tasks, INBOX_LIMIT + 1 + extra, 'the status counts them')
})

t.test('CLI: task to a full daemon agent exits with one clear error line', async (t) => {
  const ws = cliWorkspace(t)
  writeFileSync(join(ws.dir, 'd.json'), JSON.stringify({ name: 'd', agents: [{ name: 'slow', backend: { type: 'mock', script: [{ match: '.', response: 'x', delay_ms: NEVER }] } }] }))
  const started = await ws.run(['start', 'd.json'])
  t.equal(started.code, 0, started.stderr)
  const registry = ws.registry()
  for (let i = 0; i < INBOX_LIMIT; i++) registry.enqueueTask('d', 'slow', `task ${i}`)
  const task = await ws.run(['task', 'd', 'slow', 'one', 'more'])
  t.equal(task.code, 1)
  t.equal(task.stderr, `error: agent "slow" in swarm "d" has ${INBOX_LIMIT} inputs waiting; nothing was accepted, try again later\n`)
  t.equal(task.stdout, '')
  t.equal(registry.listTasks('d', { limit: 2000 }).length, INBOX_LIMIT, 'nothing was queued')
  t.equal((await ws.run(['stop', 'd'])).code, 0)
})
