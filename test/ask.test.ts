import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { mockAgent } from './helpers/engine.js'
import { api, watch, writeModule, type Watched } from './helpers/objects.js'
import { outcome, startServer, type TestServer } from './helpers/server.js'

const ASKER = readFileSync(new URL('./fixtures/ask/asker.mjs', import.meta.url), 'utf8')
const ORACLE = readFileSync(new URL('./fixtures/ask/oracle.mjs', import.meta.url), 'utf8')

/**
 * `asker` (a JSON-lines program) reaches `oracle` both ways and `mute` only one
 * way; `oracle`'s sends go to the mock `watcher`.
 */
function askSwarm(server: TestServer, name: string, config: Record<string, unknown> = {}, oracle: Record<string, unknown> = {}) {
  writeModule(server.dir, 'objects/oracle.mjs', ORACLE)
  const script = join(server.dir, writeModule(server.dir, 'agents/asker.mjs', ASKER))
  return {
    name,
    agents: [
      { name: 'asker', backend: { type: 'local', command: [process.execPath, script], kill_grace_ms: 500 }, config },
      mockAgent('watcher'),
    ],
    objects: [
      { name: 'oracle', handler: './objects/oracle.mjs', ...oracle },
      { name: 'mute', handler: './objects/oracle.mjs' },
      { name: 'plain' },
    ],
    topology: [
      { from: 'asker', to: 'oracle' }, { from: 'oracle', to: 'asker' }, { from: 'oracle', to: 'watcher' },
      { from: 'asker', to: 'mute' }, { from: 'asker', to: 'plain' }, { from: 'plain', to: 'asker' },
    ],
  }
}

/** Sends a task over the socket and waits for the asker's output naming it: the answer it got. */
async function ask(t: Test, w: Watched, task: string): Promise<any> {
  t.equal((await outcome(w.channel.push('send_task', { agent: 'asker', task }))).status, 'ok', `task "${task}" taken`)
  const output = await w.waitEvent((e) => e.event_type === 'agent_output' && e.agent === 'asker' && e.message.startsWith(`${task} =>`), `the answer to "${task}"`)
  return JSON.parse(output.message.slice(task.length + 4))
}

t.test('a JSON-lines agent asks an object and gets its reply in the same turn; both legs are pushed as message_routed type ask', async (t) => {
  const server = await startServer(t)
  t.equal((await api(server, 'POST', '/api/swarms', { config: askSwarm(server, 'asking') })).status, 201)
  const w = await watch(t, server, 'asking')

  t.same(await ask(t, w, 'oracle what is the board?'), { type: 'ask_result', id: 'q1', ok: true, result: 'answer 1 to asker: what is the board?' })
  const question = await w.waitPush('message_routed', (p) => p.from === 'asker' && p.to === 'oracle', 'the question pushed')
  t.match(question, { type: 'ask', swarm: 'asking', content_preview: 'what is the board?' })
  const reply = await w.waitPush('message_routed', (p) => p.from === 'oracle' && p.to === 'asker', 'the reply pushed')
  t.match(reply, { type: 'ask', content_preview: 'answer 1 to asker: what is the board?' })
  await w.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'watcher' && e.metadata.content_preview === 'asked 1', 'the object\'s send is still routed')
  t.notOk(w.events().some((e) => e.event_type === 'message_delivered' && e.agent === 'asker'), 'the reply is the answer, not also a message in the asker\'s inbox')

  t.same(await ask(t, w, 'oracle again'), { type: 'ask_result', id: 'q2', ok: true, result: 'answer 2 to asker: again' }, 'the object keeps its state across asks')
  const stored = await api(server, 'GET', '/api/swarms/asking/events?event_type=message_routed')
  t.ok(stored.body.events.filter((e: any) => e.metadata.type === 'ask').length >= 4, 'the legs are stored events')
})

t.test('refused asks answer ok:false with why: no return edge, a missing object, an agent, an object without a handler, no answer', async (t) => {
  const server = await startServer(t)
  await api(server, 'POST', '/api/swarms', { config: askSwarm(server, 'refusals') })
  const w = await watch(t, server, 'refusals')

  const noReturn = await ask(t, w, 'mute hello')
  t.match(noReturn, { ok: false, error: 'no connection from mute back to asker, so mute cannot answer' })
  t.notOk('timeout' in noReturn)
  await w.waitEvent((e) => e.event_type === 'invalid_route' && e.metadata.type === 'ask' && e.metadata.from === 'mute', 'the missing return edge is an invalid_route event')
  t.equal((await api(server, 'GET', '/api/swarms/refusals/objects/mute')).body.message_count, 0, 'a refused ask never reaches the object')

  t.match(await ask(t, w, 'ghost hello'), { ok: false, error: 'no node named ghost' })
  await w.waitEvent((e) => e.event_type === 'target_not_found' && e.metadata.to === 'ghost', 'target_not_found stored')
  t.match(await ask(t, w, 'watcher hello'), { ok: false, error: 'watcher is an agent; only objects answer an ask' })
  t.match(await ask(t, w, 'plain hello'), { ok: false, error: 'object plain has no handler to answer with' })
  t.match(await ask(t, w, 'oracle silent'), { ok: false, error: 'object oracle gave no reply' })
  t.match(await ask(t, w, 'oracle throw'), { ok: false, error: /object oracle could not answer: handleMessage failed: oracle broke/ })
  t.match(await ask(t, w, 'oracle still there?'), { ok: true, result: 'answer 1 to asker: still there?' }, 'the swarm and the object keep running')
})

t.test('an ask whose object never answers times out (ok:false, timeout:true); tasks sent meanwhile wait their turn, in order', async (t) => {
  const server = await startServer(t)
  // The object's own limit is longer than the ask's, so the ask's timeout is what answers first;
  // the ask's is long enough that the two tasks below are surely sent while it waits.
  await api(server, 'POST', '/api/swarms', { config: askSwarm(server, 'slow', { ask_timeout_ms: 2000 }, { timeout_ms: 4000 }) })
  const w = await watch(t, server, 'slow')

  t.equal((await outcome(w.channel.push('send_task', { agent: 'asker', task: 'oracle hang' }))).status, 'ok')
  await w.waitPush('message_routed', (p) => p.type === 'ask' && p.content_preview === 'hang', 'the question is out')
  for (const task of ['mute first', 'ghost second']) t.equal((await outcome(w.channel.push('send_task', { agent: 'asker', task }))).status, 'ok')
  t.equal((await api(server, 'GET', '/api/swarms/slow/agents/asker')).body.inbox, 2, 'the tasks queue behind the turn that waits')

  await w.waitEvent((e) => e.event_type === 'agent_output' && e.message.startsWith('ghost second =>'), 'the queued tasks ran')
  const outputs = w.events().filter((e) => e.event_type === 'agent_output').map((e) => e.message)
  t.same(outputs.map((m: string) => m.split(' =>')[0]), ['oracle hang', 'mute first', 'ghost second'], 'in the order they were sent')
  t.match(JSON.parse(outputs[0].slice('oracle hang => '.length)), { ok: false, timeout: true, error: 'oracle did not answer within 2000 ms' })
  await w.waitEvent((e) => e.event_type === 'ask_timeout' && e.level === 'warning', 'ask_timeout stored')

  // The hung handler then runs over the object's own limit: the object is in error and says so to the next ask.
  await w.waitEvent((e) => e.event_type === 'object_error' && e.metadata.timeout === true, 'the object cut off at its limit')
  t.match(await ask(t, w, 'oracle anyone?'), { ok: false, error: 'object oracle is in state error and answers nothing' })
  t.equal((await api(server, 'GET', '/api/swarms/slow')).body.status, 'running', 'the swarm keeps running')
})

t.test('ask_timeout_ms must be a positive integer', async (t) => {
  const server = await startServer(t)
  const created = await api(server, 'POST', '/api/swarms', { config: askSwarm(server, 'bad', { ask_timeout_ms: -1 }) })
  t.equal(created.status, 400)
  t.match(JSON.stringify(created.body), /ask_timeout_ms: must be a positive integer/)
})
