import t from 'tap'
import { isPidAlive } from '../lib/db/registry.js'
import { topics } from '../lib/pubsub/index.js'
import { localAgent, mockAgent, nextMessage, swarmConfig, testEngine, waitFor } from './helpers/engine.js'

t.test('a local agent answers a task over the JSON-lines protocol', async (t) => {
  const engine = testEngine(t)
  await engine.swarmManager.start(swarmConfig('loc', [localAgent('worker'), mockAgent('sink', [])], [['worker', 'sink']]))
  const pid = engine.swarmManager.agentStatus('loc', 'worker').pid
  t.ok(pid && isPidAlive(pid), 'a real child process runs the agent')
  const output = nextMessage<{ agent: string; content: string }>(engine, topics.output('loc'))
  engine.swarmManager.sendTask('loc', 'worker', 'summarise this\n@sink: forwarded note')
  const o = await output
  t.equal(o.payload.agent, 'worker')
  t.match(o.payload.content, /^worker got task from orchestrator: summarise this/)
  await waitFor(() => engine.swarmManager.history('loc', 'sink').length > 0, 'message reaches sink')
  t.equal(engine.swarmManager.history('loc', 'sink')[0]!.content, 'forwarded note')
  await waitFor(() => engine.swarmManager.agentStatus('loc', 'worker').state === 'idle', 'idle after status line')

  engine.swarmManager.sendTask('loc', 'worker', 'write to stderr please')
  await waitFor(() => engine.eventStore.query({ swarm: 'loc', event_type: 'backend_stderr' })[0], 'stderr event')
  const stderr = engine.eventStore.query({ swarm: 'loc', event_type: 'backend_stderr' })[0]!
  t.equal(stderr.level, 'debug')
  t.match(stderr.message, /diagnostic/)

  await engine.swarmManager.stop('loc')
  await waitFor(() => !isPidAlive(pid!), 'child gone after stop')
  t.ok(engine.eventStore.query({ swarm: 'loc', event_type: 'agent_stopped', agent: 'worker' }).length === 1)
})

t.test('a local agent that crashes goes to error with an agent_error event', async (t) => {
  const engine = testEngine(t)
  await engine.swarmManager.start(swarmConfig('crashy', [localAgent('fragile')]))
  const errorState = nextMessage<{ state: string }>(engine, topics.status('crashy'), (m) => m.payload.state === 'error')
  engine.swarmManager.sendTask('crashy', 'fragile', 'please crash now')
  await errorState
  const ev = await waitFor(() => engine.eventStore.query({ swarm: 'crashy', event_type: 'agent_error' })[0], 'agent_error')
  t.equal(ev.level, 'error')
  t.equal(ev.category, 'agent')
  t.equal(ev.agent, 'fragile')
  t.same(ev.metadata, { code: 3, signal: null })
  t.throws(() => engine.swarmManager.sendTask('crashy', 'fragile', 'again'), { code: 'GS_AGENT_UNAVAILABLE' })
  const restarted = await engine.swarmManager.restartAgent('crashy', 'fragile')
  t.equal(restarted.state, 'idle', 'restart brings it back')
  engine.swarmManager.sendTask('crashy', 'fragile', 'hello')
  await waitFor(() => engine.swarmManager.history('crashy', 'fragile').some((h) => h.direction === 'out'), 'answer after restart')
})

t.test('stop kills the whole process tree of a local agent', async (t) => {
  const engine = testEngine(t)
  // The agent's shell starts a long sleep in the background: a grandchild.
  const script = `sleep 30 & echo "$!" ; while read line; do echo '{"type":"status","state":"idle"}'; done`
  await engine.swarmManager.start(swarmConfig('tree', [{ name: 'sh', backend: { type: 'local', command: ['sh', '-c', script], kill_grace_ms: 300 }, skills: [], config: {} }]))
  const out = await waitFor(() => engine.eventStore.query({ swarm: 'tree', event_type: 'agent_output' })[0], 'grandchild pid')
  const grandchild = Number(out.message)
  t.ok(isPidAlive(grandchild), 'grandchild runs')
  await engine.swarmManager.stop('tree')
  await waitFor(() => !isPidAlive(grandchild), 'grandchild killed', 3000)
  t.pass('grandchild is gone')
})
