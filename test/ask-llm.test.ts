import { readFileSync } from 'node:fs'
import t from 'tap'
import { startFakeOpenAI } from './helpers/fake-openai.js'
import { KEY_VAR, llmAgent, SECRET_KEY } from './helpers/llm.js'
import { api, watch, writeModule } from './helpers/objects.js'
import { outcome, startServer } from './helpers/server.js'

process.env[KEY_VAR] = SECRET_KEY

const ORACLE = readFileSync(new URL('./fixtures/ask/oracle.mjs', import.meta.url), 'utf8')

t.test('an LLM agent\'s ask tool call gets the object\'s reply as its result; a refused one gets {ok:false, error}', async (t) => {
  const fake = await startFakeOpenAI(t)
  const server = await startServer(t)
  writeModule(server.dir, 'objects/oracle.mjs', ORACLE)
  fake.reply(
    { tool_calls: [{ id: 'call_1', name: 'ask', arguments: { to: 'oracle', content: 'whose turn?' } }, { id: 'call_2', name: 'ask', arguments: { to: 'ghost', content: 'hello?' } }] },
    { text: ['Done asking.'] },
  )
  const config = {
    name: 'llm-ask',
    agents: [llmAgent('thinker', { type: 'openai', base_url: fake.url }), { name: 'watcher', backend: { type: 'mock' } }],
    objects: [{ name: 'oracle', handler: './objects/oracle.mjs' }],
    topology: [{ from: 'thinker', to: 'oracle' }, { from: 'oracle', to: 'thinker' }, { from: 'oracle', to: 'watcher' }],
  }
  t.equal((await api(server, 'POST', '/api/swarms', { config })).status, 201)
  const w = await watch(t, server, 'llm-ask')
  t.equal((await outcome(w.channel.push('send_task', { agent: 'thinker', task: 'ask the oracle' }))).status, 'ok')
  await w.waitEvent((e) => e.event_type === 'agent_output' && e.agent === 'thinker', 'the turn ends')

  const second = await fake.request(1)
  const results = second.body.messages.filter((m: any) => m.role === 'tool')
  t.same(results.map((m: any) => m.tool_call_id), ['call_1', 'call_2'])
  t.equal(results[0].content, 'answer 1 to thinker: whose turn?', 'the tool result is the reply itself')
  t.same(JSON.parse(results[1].content), { ok: false, error: 'no node named ghost' }, 'a refused ask says why')
  t.same(fake.requests[0]!.body.tools.map((tool: any) => tool.function.name), ['send_message', 'broadcast', 'ask'])
  const pushed = w.pushes.filter((p) => p.event === 'message_routed' && p.payload.type === 'ask').map((p) => [p.payload.from, p.payload.to])
  t.same(pushed, [['thinker', 'oracle'], ['oracle', 'thinker']], 'question and reply pushed as type ask')
})

t.test('an LLM agent restarted while its ask waits stops at once, without waiting for the answer', async (t) => {
  const fake = await startFakeOpenAI(t)
  const server = await startServer(t)
  writeModule(server.dir, 'objects/oracle.mjs', ORACLE)
  fake.reply({ tool_calls: [{ id: 'call_1', name: 'ask', arguments: { to: 'oracle', content: 'hang' } }] })
  const config = {
    name: 'llm-hang',
    agents: [llmAgent('thinker', { type: 'openai', base_url: fake.url })],
    objects: [{ name: 'oracle', handler: './objects/oracle.mjs', timeout_ms: 3000 }],
    topology: [{ from: 'thinker', to: 'oracle' }, { from: 'oracle', to: 'thinker' }],
  }
  t.equal((await api(server, 'POST', '/api/swarms', { config })).status, 201)
  const w = await watch(t, server, 'llm-hang')
  t.equal((await outcome(w.channel.push('send_task', { agent: 'thinker', task: 'ask and wait' }))).status, 'ok')
  await w.waitPush('message_routed', (p) => p.type === 'ask' && p.content_preview === 'hang', 'the ask is out')

  // The object would hold the answer for 3 s and the ask for 30 s; the restart waits for neither.
  const restarted = await api(server, 'POST', '/api/swarms/llm-hang/agents/thinker/restart')
  t.equal(restarted.status, 200, JSON.stringify(restarted.body))
  t.equal(restarted.body.agent.state, 'idle')
  t.notOk(w.events().some((e) => e.event_type === 'ask_timeout' || e.event_type === 'object_error'), 'nothing had answered the ask yet')
  t.equal(fake.requests.length, 1, 'the aborted turn asked the model nothing more')
})
