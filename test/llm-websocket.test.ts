import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { stringify } from 'yaml'
import { closedWithin, forAgent } from './helpers/fake-llm.js'
import { startFakeOpenAI } from './helpers/fake-openai.js'
import { KEY_VAR, SECRET_KEY, writeSkills } from './helpers/llm.js'
import { collect, outcome, phoenixSocket, startServer, until } from './helpers/server.js'

process.env[KEY_VAR] = SECRET_KEY

/** A researcher → writer swarm of OpenAI-compatible agents, written as a config file with its skills beside it. */
function writeSwarm(dir: string, baseUrl: string, extra: Record<string, unknown> = {}): string {
  const path = writeSkills(dir, { researcher: 'You find facts.', writer: 'You write prose.' })
  const backend = { type: 'openai', model: 'fake-model', base_url: baseUrl, api_key_env: KEY_VAR, max_retries: 0 }
  writeFileSync(path, stringify({
    name: 'duo',
    agents: [{ name: 'researcher', backend, skills: ['researcher'] }, { name: 'writer', backend, skills: ['writer'] }],
    topology: [['researcher', 'writer']],
    ...extra,
  }))
  return path
}

async function serverWithLog(t: Test) {
  const log = { text: '' }
  const stream = new Writable({ write(chunk, _enc, done) { log.text += chunk; done() } })
  const srv = await startServer(t, { logger: { level: 'debug', stream } })
  return { srv, log }
}

/** Polls an async check until it returns a value, for at most 5 s. */
async function eventually<T>(check: () => Promise<T | null>, what: string): Promise<T> {
  const deadline = Date.now() + 5000
  for (;;) {
    const value = await check()
    if (value !== null) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function api(srv: { http: string }, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${srv.http}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null, text }
}

t.test('done when: tool call → message_routed → writer, deltas stream, one agent_output per turn, the key nowhere', async (t) => {
  const fake = await startFakeOpenAI(t)
  const { srv, log } = await serverWithLog(t)
  fake.replyWhen(forAgent('researcher'),
    { tool_calls: [{ id: 'call_w', name: 'send_message', arguments: { to: 'writer', content: 'Owls hunt at night.' } }] },
    { text: ['Passed ', 'the facts on.'] })
  fake.replyWhen(forAgent('writer'), { text: ['In the dark, ', 'owls ', 'hunt.'] })
  writeSwarm(srv.dir, fake.url)
  const started = await api(srv, 'POST', '/api/swarms', { config_path: 'swarm.yaml' })
  t.equal(started.status, 201, started.text)

  const socket = phoenixSocket(t, srv.socketUrl)
  const channel = socket.channel('swarm:duo', {})
  const seen = collect(channel, ['agent_output_delta', 'agent_output', 'message_routed'])
  t.equal((await outcome(channel.join())).status, 'ok')
  const sent = await outcome(channel.push('send_task', { agent: 'researcher', task: 'Tell me about owls' }))
  t.same(sent, { status: 'ok', response: { status: 'sent' } })
  await until(() => seen.filter((s) => s.event === 'agent_output').length >= 2, 'both agents answered')

  const routed = seen.filter((s) => s.event === 'message_routed')
  t.equal(routed.length, 1)
  t.match(routed[0]!.payload, { swarm: 'duo', from: 'researcher', to: 'writer', type: 'direct', content_preview: 'Owls hunt at night.' })
  const writerRequest = fake.requests.find((r) => forAgent('writer')(r.body))!
  t.same(writerRequest.body.messages.at(-1), { role: 'user', content: '[message from researcher]\nOwls hunt at night.' }, "the writer's request contains the routed message")

  for (const [agent, text] of [['researcher', 'Passed the facts on.'], ['writer', 'In the dark, owls hunt.']] as const) {
    const outputs = seen.filter((s) => s.event === 'agent_output' && s.payload.agent === agent)
    t.same(outputs.map((o) => o.payload), [{ agent, content: text }], `exactly one agent_output for the ${agent}'s turn, in the seed's shape`)
    const deltas = seen.filter((s) => s.event === 'agent_output_delta' && s.payload.agent === agent)
    t.ok(deltas.length > 1, `the ${agent}'s answer streamed in pieces`)
    t.equal(deltas.map((d) => d.payload.delta).join(''), text, 'the deltas join into the output')
    t.ok(deltas.every((d) => d.payload.turn === 1))
    const lastDelta = seen.lastIndexOf(deltas.at(-1)!)
    t.ok(lastDelta < seen.indexOf(outputs[0]!), 'deltas come before the output they make up')
  }

  const status = await outcome(channel.push('get_status', {}))
  t.equal(status.status, 'ok')
  t.ok(status.response.agents.every((a: any) => a.tokens.total_tokens > 0), 'socket status shows token totals')
  const rest = await api(srv, 'GET', '/api/swarms/duo')
  t.equal(rest.json.agents.find((a: any) => a.name === 'researcher').tokens.turns, 1, 'REST status shows token totals')
  const events = await api(srv, 'GET', '/api/events?limit=1000')
  t.ok(events.json.events.some((e: any) => e.event_type === 'agent_usage'), 'usage is stored')
  const snapshot = await api(srv, 'POST', '/api/swarms/duo/snapshot?format=yaml')
  t.equal(snapshot.status, 200)
  t.match(snapshot.text, `api_key_env: ${KEY_VAR}`, 'the snapshot names the variable')
  for (const [what, text] of [['events', events.text], ['REST status', rest.text], ['socket status', JSON.stringify(status.response)], ['snapshot', snapshot.text], ['server log', log.text]]) {
    t.notMatch(text, SECRET_KEY, `the key is not in the ${what}`)
  }
  t.ok(log.text.length > 0, 'the server log was captured')
})

t.test('a 401 leaves the swarm running with an error event', async (t) => {
  const fake = await startFakeOpenAI(t)
  const { srv, log } = await serverWithLog(t)
  fake.reply({ status: 401, message: 'invalid key' })
  writeSwarm(srv.dir, fake.url)
  t.equal((await api(srv, 'POST', '/api/swarms', { config_path: 'swarm.yaml' })).status, 201)
  t.equal((await api(srv, 'POST', '/api/swarms/duo/agents/researcher/task', { task: 'go' })).status, 200)
  const errors = await eventually(async () => {
    const found = (await api(srv, 'GET', '/api/swarms/duo/events?event_type=agent_error')).json.events
    return found.length > 0 ? found : null
  }, 'an agent_error event')
  t.match(errors[0].message, `authentication failed for ${fake.url} (key from $${KEY_VAR})`)
  t.equal(errors[0].level, 'error')
  const status = await api(srv, 'GET', '/api/swarms/duo')
  t.equal(status.json.status, 'running', 'the swarm keeps running')
  t.ok(status.json.agents.every((a: any) => a.state === 'idle'))
  t.notMatch(log.text + JSON.stringify(errors), SECRET_KEY)
})

t.test('stopping the swarm mid-stream closes the request at the fake server within 1 s', async (t) => {
  const fake = await startFakeOpenAI(t)
  const { srv } = await serverWithLog(t)
  fake.reply({ stall: true, text: ['Half a tho'] })
  writeSwarm(srv.dir, fake.url)
  t.equal((await api(srv, 'POST', '/api/swarms', { config_path: 'swarm.yaml' })).status, 201)
  const socket = phoenixSocket(t, srv.socketUrl)
  const channel = socket.channel('swarm:duo', {})
  const seen = collect(channel, ['agent_output_delta'])
  await outcome(channel.join())
  await outcome(channel.push('send_task', { agent: 'researcher', task: 'go' }))
  await until(() => seen.some((s) => s.payload.delta === 'Half a tho'), 'the first delta')
  const closed = closedWithin(fake, 1000)
  t.equal((await api(srv, 'DELETE', '/api/swarms/duo')).status, 200)
  await closed
  t.pass('the fake server saw the request close')
})

t.test('a spent budget refuses tasks: {reason: "budget_exceeded"} on the socket, 409 GS_BUDGET_EXCEEDED over REST', async (t) => {
  const fake = await startFakeOpenAI(t)
  const { srv } = await serverWithLog(t)
  fake.reply({ text: ['costly'], usage: { prompt: 900, completion: 200 } })
  writeSwarm(srv.dir, fake.url, { budget: { max_tokens: 1000 } })
  t.equal((await api(srv, 'POST', '/api/swarms', { config_path: 'swarm.yaml' })).status, 201)
  const socket = phoenixSocket(t, srv.socketUrl)
  const channel = socket.channel('swarm:duo', {})
  const seen = collect(channel, ['agent_output'])
  await outcome(channel.join())
  await outcome(channel.push('send_task', { agent: 'writer', task: 'go' }))
  await until(() => seen.length === 1, 'the answer')
  // The turn's usage is counted in the same tick as its output, so the next task already finds the budget spent.
  const refused = await outcome(channel.push('send_task', { agent: 'researcher', task: 'more' }))
  t.same(refused, { status: 'error', response: { reason: 'budget_exceeded', code: 'GS_BUDGET_EXCEEDED' } })
  const rest = await api(srv, 'POST', '/api/swarms/duo/agents/writer/task', { task: 'more' })
  t.equal(rest.status, 409)
  t.equal(rest.json.code, 'GS_BUDGET_EXCEEDED')
  const warnings = (await api(srv, 'GET', '/api/swarms/duo/events?event_type=budget_exceeded')).json.events
  t.ok(warnings.length >= 2 && warnings.every((w: any) => w.level === 'warning'))
})
