import t from 'tap'
import { topics } from '../lib/pubsub/index.js'
import { swarmConfig, testEngine, waitFor } from './helpers/engine.js'
import { closedWithin, forAgent, systemOf } from './helpers/fake-llm.js'
import { startFakeOpenAI } from './helpers/fake-openai.js'
import { eventsOf, KEY_VAR, llmAgent, SECRET_KEY, waitForEvent, writeSkills } from './helpers/llm.js'

process.env[KEY_VAR] = SECRET_KEY

t.test('a tool call routes along the topology, the answer streams, and the request carries model, prompt, tools and key', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  const configPath = writeSkills(engine.dir, { researcher: 'You research topics thoroughly.' })
  fake.replyWhen(forAgent('researcher'),
    { text: ['Looking'], tool_calls: [{ id: 'call_1', name: 'send_message', arguments: { to: 'writer', content: 'facts about owls' } }], usage: { prompt: 100, completion: 20 } },
    { text: ['Sent ', 'to the writer.'], usage: { prompt: 130, completion: 7 } })
  fake.replyWhen(forAgent('writer'), { text: ['An owl ', 'essay'] })
  const config = swarmConfig('owls', [
    llmAgent('researcher', { type: 'openai', base_url: fake.url, model: 'gpt-fake', temperature: 0.2 }, { skills: ['researcher'] }),
    llmAgent('writer', { type: 'openai', base_url: fake.url }),
  ], [['researcher', 'writer']])
  await engine.swarmManager.start(config, { configPath })

  const deltas: { agent: string; turn: number; delta: string }[] = []
  engine.pubsub.subscribe<{ agent: string; turn: number; delta: string }>(topics.output('owls'), (m) => {
    if (m.event === 'agent_output_delta') deltas.push(m.payload)
  })
  engine.swarmManager.sendTask('owls', 'researcher', 'Tell me about owls')
  const outputs = await waitForEvent(engine, 'owls', 'agent_output', undefined, 2)

  const first = fake.requests[0]!
  t.equal(first.path, '/v1/chat/completions')
  t.equal(first.headers.authorization, `Bearer ${SECRET_KEY}`, 'the key comes from the named variable')
  t.equal(first.body.model, 'gpt-fake')
  t.equal(first.body.stream, true, 'requests are streamed')
  t.equal(first.body.temperature, 0.2)
  t.same(first.body.tools.map((tool: any) => tool.function.name), ['send_message', 'broadcast', 'ask'])
  const system = systemOf(first.body)
  t.ok(system.startsWith('You research topics thoroughly.'), 'skills come first in the system prompt')
  t.match(system, 'You are the agent "researcher" in the swarm "owls"')
  t.match(system, 'You can send messages to: writer.')
  t.same(first.body.messages[1], { role: 'user', content: '[task from orchestrator]\nTell me about owls' })

  const second = fake.requests.find((r, i) => i > 0 && forAgent('researcher')(r.body))!
  const toolMessage = second.body.messages.find((m: any) => m.role === 'tool')
  t.equal(toolMessage.tool_call_id, 'call_1')
  t.same(JSON.parse(toolMessage.content), { delivered: true, to: ['writer'] }, 'the tool result says the message was delivered')
  t.same(second.body.messages[2].tool_calls[0].function, { name: 'send_message', arguments: JSON.stringify({ to: 'writer', content: 'facts about owls' }) })

  const writerRequest = fake.requests.find((r) => forAgent('writer')(r.body))!
  t.same(writerRequest.body.messages.at(-1), { role: 'user', content: '[message from researcher]\nfacts about owls' }, "the writer's request holds the routed message")
  t.match(systemOf(writerRequest.body), 'You have no outgoing connections')

  const routed = eventsOf(engine, 'owls', 'message_routed')
  t.same(routed.map((e) => [e.metadata.from, e.metadata.to, e.metadata.content_preview]), [['researcher', 'writer', 'facts about owls']])
  const researcherOutput = outputs.find((e) => e.agent === 'researcher')!
  t.equal(researcherOutput.message, 'Looking\n\nSent to the writer.', 'one agent_output per turn with the text of every round')
  const researcherDeltas = deltas.filter((d) => d.agent === 'researcher')
  t.equal(researcherDeltas.map((d) => d.delta).join(''), researcherOutput.message, 'the deltas join into the output')
  t.ok(researcherDeltas.every((d) => d.turn === 1))
  t.equal(outputs.filter((e) => e.agent === 'researcher').length, 1, 'exactly one agent_output for the turn')

  const [usage] = await waitForEvent(engine, 'owls', 'agent_usage', 'researcher')
  t.match(usage!.metadata, { model: 'gpt-fake', prompt_tokens: 230, completion_tokens: 27, total_tokens: 257, tool_rounds: 1 })
  t.type(usage!.metadata.duration_ms, 'number')
  const status = engine.swarmManager.status('owls')
  const researcher = status.agents.find((a) => a.name === 'researcher')!
  t.match(researcher, { tokens: { prompt_tokens: 230, completion_tokens: 27, total_tokens: 257, turns: 1 }, model: 'gpt-fake', backend: 'openai' })
})

t.test('a send_message without an edge is refused to the model with the allowed targets; history carries earlier turns', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  fake.reply(
    { tool_calls: [{ id: 'c1', name: 'send_message', arguments: { to: 'reviewer', content: 'hi' } }] },
    { text: ['first answer'] },
    { text: ['second answer'] },
  )
  await engine.swarmManager.start(swarmConfig('edges', [
    llmAgent('a', { type: 'openai', base_url: fake.url }),
    llmAgent('b', { type: 'openai', base_url: fake.url }),
    llmAgent('reviewer', { type: 'openai', base_url: fake.url }),
  ], [['a', 'b']]))
  engine.swarmManager.sendTask('edges', 'a', 'one')
  await waitForEvent(engine, 'edges', 'agent_output', 'a')
  const result = fake.requests[1]!.body.messages.find((m: any) => m.role === 'tool')
  t.same(JSON.parse(result.content), { delivered: false, error: 'no connection from a to reviewer', allowed_targets: ['b'] })
  t.equal(eventsOf(engine, 'edges', 'invalid_route').length, 1, 'stored like an @name: line to a missing edge')

  engine.swarmManager.sendTask('edges', 'a', 'two')
  await waitForEvent(engine, 'edges', 'agent_output', 'a', 2)
  const roles = fake.requests[2]!.body.messages.map((m: any) => m.role)
  t.same(roles, ['system', 'user', 'assistant', 'tool', 'assistant', 'user'], 'the second turn sees the first, tool rounds included')
  t.same(fake.requests[2]!.body.messages.at(-2), { role: 'assistant', content: 'first answer' })
})

t.test('max_history_messages bounds the conversation, starting at a user message', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  await engine.swarmManager.start(swarmConfig('bounded', [llmAgent('a', { type: 'openai', base_url: fake.url, max_history_messages: 3 })]))
  for (const [i, task] of ['t1', 't2', 't3'].entries()) {
    engine.swarmManager.sendTask('bounded', 'a', task)
    await waitForEvent(engine, 'bounded', 'agent_output', 'a', i + 1)
  }
  const last = fake.requests[2]!.body.messages
  t.same(last.map((m: any) => [m.role, m.content]), [['system', last[0].content], ['user', '[task from orchestrator]\nt2'], ['assistant', 'ok'], ['user', '[task from orchestrator]\nt3']])
})

t.test('@name: lines in plain text still route', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  fake.replyWhen(forAgent('a'), { text: ['Done.\n@b: ', 'please check'] })
  await engine.swarmManager.start(swarmConfig('plain', [llmAgent('a', { type: 'openai', base_url: fake.url }), llmAgent('b', { type: 'openai', base_url: fake.url })], [['a', 'b']]))
  engine.swarmManager.sendTask('plain', 'a', 'go')
  const [routed] = await waitForEvent(engine, 'plain', 'message_routed')
  t.match(routed!.metadata, { from: 'a', to: 'b', content_preview: 'please check' })
})

t.test('a 429 is retried by the SDK and the turn succeeds', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  fake.reply({ status: 429, message: 'slow down' }, { text: ['after retry'] })
  await engine.swarmManager.start(swarmConfig('retry', [llmAgent('a', { type: 'openai', base_url: fake.url, max_retries: 2 })]))
  engine.swarmManager.sendTask('retry', 'a', 'go')
  const [output] = await waitForEvent(engine, 'retry', 'agent_output', 'a')
  t.equal(output!.message, 'after retry')
  t.equal(fake.requests.length, 2, 'one refused request, one retried')
  t.equal(eventsOf(engine, 'retry', 'agent_error').length, 0)
})

t.test('a 401 stores an error naming the URL and the variable; the agent is idle and the swarm keeps running', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  fake.reply({ status: 401, message: 'Incorrect API key provided' })
  await engine.swarmManager.start(swarmConfig('auth', [llmAgent('a', { type: 'openai', base_url: fake.url, max_retries: 2 })]))
  engine.swarmManager.sendTask('auth', 'a', 'go')
  const [error] = await waitForEvent(engine, 'auth', 'agent_error', 'a')
  t.match(error!.message, `authentication failed for ${fake.url} (key from $${KEY_VAR})`)
  t.match(error!.message, 'Incorrect API key provided')
  t.match(error!.metadata, { provider: 'openai', status: 401, provider_message: 'Incorrect API key provided' })
  t.equal(fake.requests.length, 1, 'a 401 is not retried')
  await waitFor(() => engine.swarmManager.agentStatus('auth', 'a').state === 'idle', 'agent back to idle')
  engine.swarmManager.sendTask('auth', 'a', 'again')
  const [output] = await waitForEvent(engine, 'auth', 'agent_output', 'a')
  t.equal(output!.message, 'ok', 'the next input is answered')
})

t.test('a 500 after its retries names provider, status and message', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  fake.reply({ status: 500, message: 'model overloaded' }, { status: 500, message: 'model overloaded' })
  await engine.swarmManager.start(swarmConfig('fail', [llmAgent('a', { type: 'openai', base_url: fake.url, max_retries: 1 })]))
  engine.swarmManager.sendTask('fail', 'a', 'go')
  const [error] = await waitForEvent(engine, 'fail', 'agent_error', 'a')
  t.equal(error!.message, 'agent a: openai request failed: HTTP 500: model overloaded')
  t.equal(fake.requests.length, 2)
})

t.test('a stream that stalls fails the turn after timeout_ms and closes the request', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  fake.reply({ stall: true, text: ['partial'] })
  await engine.swarmManager.start(swarmConfig('stall', [llmAgent('a', { type: 'openai', base_url: fake.url, timeout_ms: 300 })]))
  const closed = closedWithin(fake, 5000)
  engine.swarmManager.sendTask('stall', 'a', 'go')
  const [error] = await waitForEvent(engine, 'stall', 'agent_error', 'a')
  t.match(error!.message, 'stream stalled: no data for 300 ms')
  await closed
  t.equal(eventsOf(engine, 'stall', 'agent_output').length, 0, 'a failed turn has no agent_output')
  await waitFor(() => engine.swarmManager.agentStatus('stall', 'a').state === 'idle', 'agent back to idle')
})

t.test('restarting an agent aborts its in-flight request', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  fake.reply({ stall: true, text: ['thinking'] })
  await engine.swarmManager.start(swarmConfig('abort', [llmAgent('a', { type: 'openai', base_url: fake.url })]))
  engine.swarmManager.sendTask('abort', 'a', 'go')
  await fake.request(0)
  const closed = closedWithin(fake, 1000)
  await engine.swarmManager.restartAgent('abort', 'a')
  await closed
  t.pass('the fake server saw the request close')
  t.equal(eventsOf(engine, 'abort', 'agent_error').length, 0, 'an abort asked for is no error')
  engine.swarmManager.sendTask('abort', 'a', 'after')
  const [output] = await waitForEvent(engine, 'abort', 'agent_output', 'a')
  t.equal(output!.message, 'ok')
})

t.test('an agent over its budget refuses tasks with GS_BUDGET_EXCEEDED and a warning event', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  fake.reply({ text: ['expensive'], usage: { prompt: 40, completion: 20 } })
  await engine.swarmManager.start(swarmConfig('budget', [llmAgent('a', { type: 'openai', base_url: fake.url }, { budget: { max_tokens: 50 } })]))
  engine.swarmManager.sendTask('budget', 'a', 'go')
  await waitForEvent(engine, 'budget', 'agent_usage', 'a')
  t.throws(() => engine.swarmManager.sendTask('budget', 'a', 'more'), { code: 'GS_BUDGET_EXCEEDED', reason: 'budget_exceeded', statusCode: 409 })
  const [warning] = await waitForEvent(engine, 'budget', 'budget_exceeded', 'a')
  t.equal(warning!.level, 'warning')
  t.match(warning!.metadata, { scope: 'agent', used: 60, max_tokens: 50, refused: 'task' })
})

t.test('a swarm over its budget refuses input to every agent, including routed messages', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  fake.replyWhen(forAgent('a'), { text: ['first'], usage: { prompt: 70, completion: 40 } }, { text: ['@b: hello'] })
  const config = { ...swarmConfig('sb', [llmAgent('a', { type: 'openai', base_url: fake.url }), llmAgent('b', { type: 'openai', base_url: fake.url })], [['a', 'b']]), budget: { max_tokens: 100 } }
  await engine.swarmManager.start(config)
  engine.swarmManager.sendTask('sb', 'a', 'go')
  await waitForEvent(engine, 'sb', 'agent_usage', 'a')
  t.throws(() => engine.swarmManager.sendTask('sb', 'b', 'x'), { code: 'GS_BUDGET_EXCEEDED' })
  t.throws(() => engine.swarmManager.routeMessage('sb', 'a', 'b', 'x'), { code: 'GS_BUDGET_EXCEEDED' })
  t.equal(engine.swarmManager.status('sb').tokens.total_tokens, 110)
  const warnings = await waitForEvent(engine, 'sb', 'budget_exceeded', 'b', 2)
  t.ok(warnings.every((w) => w.metadata.scope === 'swarm'))
})

t.test('removing an agent at runtime aborts its in-flight request', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  fake.reply({ stall: true, text: ['thinking'] })
  await engine.swarmManager.start(swarmConfig('remove', [llmAgent('a', { type: 'openai', base_url: fake.url }), llmAgent('b', { type: 'openai', base_url: fake.url })]))
  engine.swarmManager.sendTask('remove', 'a', 'go')
  await fake.request(0)
  const closed = closedWithin(fake, 1000)
  await engine.swarmManager.mutate('remove', { op: 'remove_agent', name: 'a' })
  await closed
  t.pass('the fake server saw the request close')
  t.equal(eventsOf(engine, 'remove', 'agent_error').length, 0)
})

t.test('a skill changed at runtime is in the system prompt of the next turn, placeholders filled', async (t) => {
  const fake = await startFakeOpenAI(t)
  const engine = testEngine(t)
  const configPath = writeSkills(engine.dir, { researcher: 'You research topics thoroughly.' })
  fake.replyWhen(forAgent('researcher'), { text: ['first'] }, { text: ['second'] })
  await engine.swarmManager.start(swarmConfig('skilled', [
    llmAgent('researcher', { type: 'openai', base_url: fake.url }, { skills: ['researcher'] }),
  ], []), { configPath })

  engine.swarmManager.sendTask('skilled', 'researcher', 'one')
  await waitForEvent(engine, 'skilled', 'agent_output', 'researcher', 1)
  t.ok(systemOf(fake.requests[0]!.body).startsWith('You research topics thoroughly.'), 'the first turn has the file read at start')

  await engine.swarmManager.mutate('skilled', { op: 'set_skill', agent: 'researcher', skill: 'researcher', content: 'You are {{agent}} of {{swarm}}; be terse.' })
  engine.swarmManager.sendTask('skilled', 'researcher', 'two')
  await waitForEvent(engine, 'skilled', 'agent_output', 'researcher', 2)
  const system = systemOf(fake.requests[1]!.body)
  t.ok(system.startsWith('You are researcher of skilled; be terse.'), 'the next turn has the new text')
  t.notMatch(system, 'thoroughly', 'the old text is gone')
})
