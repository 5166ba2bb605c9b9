import t from 'tap'
import { topics } from '../lib/pubsub/index.js'
import { swarmConfig, testEngine, waitFor } from './helpers/engine.js'
import { startFakeAnthropic } from './helpers/fake-anthropic.js'
import { closedWithin, forAgent } from './helpers/fake-llm.js'
import { eventsOf, KEY_VAR, llmAgent, SECRET_KEY, waitForEvent, writeSkills } from './helpers/llm.js'

process.env[KEY_VAR] = SECRET_KEY

t.test('anthropic: tool_use routes, text streams, the request carries model, system, tools, max_tokens and key', async (t) => {
  const fake = await startFakeAnthropic(t)
  const engine = testEngine(t)
  const configPath = writeSkills(engine.dir, { reviewer: 'You review drafts.' })
  fake.replyWhen(forAgent('researcher'),
    { text: ['On it.'], tool_calls: [{ id: 'toolu_1', name: 'send_message', arguments: { to: 'writer', content: 'notes' } }], usage: { prompt: 50, completion: 9 } },
    { text: ['Handed ', 'over.'], usage: { prompt: 70, completion: 3 } })
  fake.replyWhen(forAgent('writer'), { text: ['Draft.'] })
  await engine.swarmManager.start(swarmConfig('claude', [
    llmAgent('researcher', { type: 'anthropic', base_url: fake.url, model: 'claude-fake' }, { skills: ['reviewer'] }),
    llmAgent('writer', { type: 'anthropic', base_url: fake.url, max_tokens: 300 }),
  ], [['researcher', 'writer']]), { configPath })
  const deltas: string[] = []
  engine.pubsub.subscribe<{ agent: string; delta: string }>(topics.output('claude'), (m) => {
    if (m.event === 'agent_output_delta' && m.payload.agent === 'researcher') deltas.push(m.payload.delta)
  })
  engine.swarmManager.sendTask('claude', 'researcher', 'research')
  await waitForEvent(engine, 'claude', 'agent_output', 'writer')
  const [output] = await waitForEvent(engine, 'claude', 'agent_output', 'researcher')

  const first = fake.requests[0]!
  t.equal(first.path, '/v1/messages')
  // The SDK sends the key as x-api-key or, in its newer versions, as a bearer token.
  const sentKey = first.headers['x-api-key'] ?? String(first.headers.authorization).replace(/^Bearer /, '')
  t.equal(sentKey, SECRET_KEY, 'the key comes from the named variable')
  t.equal(first.body.model, 'claude-fake')
  t.equal(first.body.stream, true)
  t.equal(first.body.max_tokens, 4096, 'Anthropic needs max_tokens: a default is sent')
  t.ok(first.body.system.startsWith('You review drafts.'))
  t.match(first.body.system, 'You are the agent "researcher" in the swarm "claude"')
  t.match(first.body.system, 'You can send messages to: writer.')
  t.same(first.body.tools.map((tool: any) => tool.name), ['send_message', 'broadcast', 'ask'])
  t.same(first.body.messages, [{ role: 'user', content: '[task from orchestrator]\nresearch' }])

  const second = fake.requests.find((r, i) => i > 0 && forAgent('researcher')(r.body))!
  t.same(second.body.messages[1], {
    role: 'assistant',
    content: [{ type: 'text', text: 'On it.' }, { type: 'tool_use', id: 'toolu_1', name: 'send_message', input: { to: 'writer', content: 'notes' } }],
  })
  const result = second.body.messages[2].content[0]
  t.equal(result.type, 'tool_result')
  t.equal(result.tool_use_id, 'toolu_1')
  t.same(JSON.parse(result.content), { delivered: true, to: ['writer'] })

  const writer = fake.requests.find((r) => forAgent('writer')(r.body))!
  t.equal(writer.body.max_tokens, 300)
  t.same(writer.body.messages, [{ role: 'user', content: '[message from researcher]\nnotes' }])
  t.equal(output!.message, 'On it.\n\nHanded over.')
  t.equal(deltas.join(''), output!.message)
  const [usage] = await waitForEvent(engine, 'claude', 'agent_usage', 'researcher')
  t.match(usage!.metadata, { model: 'claude-fake', prompt_tokens: 120, completion_tokens: 12, tool_rounds: 1 })
})

t.test('anthropic: a 403 names the URL and variable; the agent stays usable', async (t) => {
  const fake = await startFakeAnthropic(t)
  const engine = testEngine(t)
  fake.reply({ status: 403, message: 'permission denied' })
  await engine.swarmManager.start(swarmConfig('deny', [llmAgent('a', { type: 'anthropic', base_url: fake.url })]))
  engine.swarmManager.sendTask('deny', 'a', 'go')
  const [error] = await waitForEvent(engine, 'deny', 'agent_error', 'a')
  t.match(error!.message, `authentication failed for ${fake.url} (key from $${KEY_VAR})`)
  t.match(error!.metadata, { provider: 'anthropic', status: 403, provider_message: 'permission denied' })
  await waitFor(() => engine.swarmManager.agentStatus('deny', 'a').state === 'idle', 'idle again')
})

t.test('anthropic: a 529 overload is retried; stopping the swarm mid-stream closes the request', async (t) => {
  const fake = await startFakeAnthropic(t)
  const engine = testEngine(t)
  fake.reply({ status: 529, message: 'overloaded' }, { stall: true, text: ['half an ans'] })
  await engine.swarmManager.start(swarmConfig('halt', [llmAgent('a', { type: 'anthropic', base_url: fake.url, max_retries: 1 })]))
  engine.swarmManager.sendTask('halt', 'a', 'go')
  await fake.request(1)
  const closed = closedWithin(fake, 1000)
  await engine.swarmManager.stop('halt')
  await closed
  t.pass('the fake server saw the streaming request close')
  t.equal(eventsOf(engine, 'halt', 'agent_error').length, 0)
  t.equal(eventsOf(engine, 'halt', 'agent_output').length, 0)
})

t.test('an explicitly named key variable that is unset fails the agent start, naming the variable only', async (t) => {
  const engine = testEngine(t)
  const spec = llmAgent('a', { type: 'anthropic', base_url: 'http://127.0.0.1:9', api_key_env: 'GENSWARMS_TEST_UNSET_KEY' })
  await t.rejects(engine.swarmManager.start(swarmConfig('nokey', [spec])), { code: 'GS_BACKEND_START_FAILED', message: /environment variable GENSWARMS_TEST_UNSET_KEY \(backend\.api_key_env\) is not set/ })
})

t.test('a missing skill fails the agent start', async (t) => {
  const engine = testEngine(t)
  await t.rejects(engine.swarmManager.start(swarmConfig('noskill', [llmAgent('a', { type: 'openai', base_url: 'http://127.0.0.1:9' }, { skills: ['ghost'] })])), { message: /skill "ghost" not found/ })
})
