import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { HISTORY_SIZE } from '../lib/swarm/agent.js'
import { mockAgent, swarmConfig, testEngine, waitFor } from './helpers/engine.js'
import { collect, outcome, phoenixSocket, startServer, until } from './helpers/server.js'

// What the send_task path keeps while it got cheaper: skills rendered once per
// agent still follow every change, the ring that holds an agent's history
// still reads oldest first, and mock agents that answer at once still leave
// room for everything else the process does.

/** A JSON-lines agent that answers each input with the skills that input carried. */
const SKILL_ECHO = `
import { createInterface } from 'node:readline'
createInterface({ input: process.stdin }).on('line', (line) => {
  const input = JSON.parse(line)
  process.stdout.write(JSON.stringify({ type: 'output', content: JSON.stringify(input.skills) }) + '\\n')
  process.stdout.write(JSON.stringify({ type: 'status', state: 'idle' }) + '\\n')
})
`

t.test('a turn is given {{targets}} as the topology has them now, after a topology change and after an agent is added', async (t) => {
  const server = await startServer(t)
  const { app, dir } = server
  mkdirSync(join(dir, 'skills'), { recursive: true })
  writeFileSync(join(dir, 'skills', 'reach.md'), 'I write to {{targets}}.')
  writeFileSync(join(dir, 'skill-echo.mjs'), SKILL_ECHO)
  const config = {
    name: 'tp',
    agents: [
      { name: 'lead', backend: { type: 'local', command: [process.execPath, join(dir, 'skill-echo.mjs')] }, skills: ['reach'] },
      { name: 'dev', backend: 'mock' },
    ],
    topology: [['lead', 'dev']],
  }
  t.equal((await app.inject({ method: 'POST', url: '/api/swarms', payload: { config } })).statusCode, 201)
  const channel = phoenixSocket(t, server.socketUrl).channel('swarm:tp', {})
  const outputs = collect(channel, ['agent_output'])
  t.equal((await outcome(channel.join())).status, 'ok')
  const turn = async (n: number): Promise<string> => {
    await app.inject({ method: 'POST', url: '/api/swarms/tp/agents/lead/task', payload: { task: `turn ${n}` } })
    await until(() => outputs.length >= n, `turn ${n}`)
    return (JSON.parse(outputs[n - 1]!.payload.content) as { content: string }[])[0]!.content
  }

  t.equal(await turn(1), 'I write to dev.')
  t.equal(await turn(2), 'I write to dev.', 'the same text again from the cache')
  const patched = await app.inject({ method: 'PATCH', url: '/api/swarms/tp/topology', payload: { remove: [['lead', 'dev']] } })
  t.equal(patched.statusCode, 200, patched.body)
  t.equal(await turn(3), 'I write to none.', 'an edge removed is seen on the next turn')
  const added = await app.inject({ method: 'POST', url: '/api/swarms/tp/agents', payload: { name: 'qa', backend: 'mock', incoming: ['lead'] } })
  t.equal(added.statusCode, 201, added.body)
  t.equal(await turn(4), 'I write to qa.', 'an agent added with an edge from lead is seen on the next turn')
})

t.test('history keeps the newest entries, oldest first, once it has wrapped', async (t) => {
  const engine = testEngine(t)
  await engine.swarmManager.start(swarmConfig('ring', [mockAgent('w', [{ match: '.*', response: 'ok' }])]))
  const tasks = HISTORY_SIZE / 2 + 25
  for (let i = 0; i < tasks; i++) engine.swarmManager.sendTask('ring', 'w', `task ${i}`)
  await waitFor(() => engine.swarmManager.agentStatus('ring', 'w').state === 'idle' && engine.swarmManager.agentStatus('ring', 'w').inbox === 0, 'all answered')
  const history = engine.swarmManager.history('ring', 'w', HISTORY_SIZE + 10)
  t.equal(history.length, HISTORY_SIZE, 'no more than the ring holds')
  const inputs = history.filter((h) => h.direction === 'in').map((h) => h.content)
  t.same(inputs, Array.from({ length: HISTORY_SIZE / 2 }, (_, i) => `task ${i + 25}`), 'the oldest inputs left, in order')
  t.same(history.slice(0, 2).map((h) => h.direction), ['in', 'out'])
  t.same(engine.swarmManager.history('ring', 'w', 2).map((h) => [h.direction, h.content]), [['in', `task ${tasks - 1}`], ['out', 'ok']], 'a limit takes the newest')
  t.same(engine.swarmManager.history('ring', 'w', 0), [])
  t.ok(history.every((h) => !Number.isNaN(Date.parse(h.timestamp))), 'each entry has its time')
})

t.test('two mock agents answering each other at once do not starve timers, the REST API or a stop', async (t) => {
  const server = await startServer(t)
  const { app } = server
  const config = {
    name: 'pingpong',
    agents: [
      { name: 'a', backend: { type: 'mock', script: [{ match: '.*', response: '@b: ping' }] } },
      { name: 'b', backend: { type: 'mock', script: [{ match: '.*', response: '@a: pong' }] } },
    ],
    topology: [['a', 'b'], ['b', 'a']],
  }
  t.equal((await app.inject({ method: 'POST', url: '/api/swarms', payload: { config } })).statusCode, 201)
  t.equal((await app.inject({ method: 'POST', url: '/api/swarms/pingpong/agents/a/task', payload: { task: 'start' } })).statusCode, 200)
  // The agents never stop on their own; a timer firing at all shows the loop is not held.
  await new Promise((resolve) => setTimeout(resolve, 20))
  const status = await app.inject({ method: 'GET', url: '/api/swarms/pingpong' })
  t.equal(status.statusCode, 200)
  t.ok(status.json().message_count > 0, 'they are talking')
  t.equal((await app.inject({ method: 'DELETE', url: '/api/swarms/pingpong' })).statusCode, 200, 'and can be stopped')
})
