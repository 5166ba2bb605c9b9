import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { AgentSpec, LocalBackendSpec } from '../lib/config/types.js'
import { loadConfigFile } from '../lib/config/load.js'
import { isPidAlive } from '../lib/db/registry.js'
import type { SwarmEvent } from '../lib/events/types.js'
import { mockAgent, swarmConfig, tempDir, testEngine, waitFor } from './helpers/engine.js'

const PROMPT_CLI = fileURLToPath(new URL('../examples/agents/prompt-cli.mjs', import.meta.url))
const node = process.execPath

function textAgent(name: string, command: string[], backend: Partial<LocalBackendSpec> = {}, extra: Partial<AgentSpec> = {}): AgentSpec {
  return { name, backend: { type: 'local', protocol: 'text', command, kill_grace_ms: 300, ...backend }, skills: [], config: {}, ...extra }
}

type Engine = ReturnType<typeof testEngine>
const events = (engine: Engine, swarm: string, event_type: string): SwarmEvent[] =>
  engine.eventStore.query({ swarm, event_type }).reverse()
const outputsOf = (engine: Engine, swarm: string, agent: string) =>
  events(engine, swarm, 'agent_output').filter((e) => e.agent === agent).map((e) => e.message)
/** Waits until `agent` has finished `turns` turns: working → idle that many times. */
const turnsDone = (engine: Engine, swarm: string, agent: string, turns: number) =>
  waitFor(() => events(engine, swarm, 'agent_status').filter((e) => e.agent === agent && e.metadata.previous === 'working' && e.metadata.state === 'idle').length >= turns, `${turns} turns of ${agent}`)

t.test('input on stdin, the whole stdout is one agent_output, and its @name: lines are routed', async (t) => {
  const engine = testEngine(t)
  await engine.swarmManager.start(swarmConfig('st', [textAgent('researcher', [node, PROMPT_CLI], { env: { HANDOFF: 'writer' } }), mockAgent('writer')], [['researcher', 'writer']]))
  engine.swarmManager.sendTask('st', 'researcher', 'tides and the moon\nsecond line')
  await turnsDone(engine, 'st', 'researcher', 1)
  t.same(outputsOf(engine, 'st', 'researcher'), ['researcher read what orchestrator sent: tides and the moon\n@writer: researcher\'s take on "tides and the moon"'], 'one output, trailing newline dropped')
  const routed = events(engine, 'st', 'message_routed')
  t.equal(routed.length, 1)
  t.match(routed[0]!.metadata, { from: 'researcher', to: 'writer' })
  await waitFor(() => engine.swarmManager.history('st', 'writer').length > 0, 'message reaches writer')
  t.equal(engine.swarmManager.history('st', 'writer')[0]!.content, 'researcher\'s take on "tides and the moon"')
  t.equal(engine.swarmManager.agentStatus('st', 'researcher').state, 'idle', 'the turn ended with the exit')
})

t.test('one process per input, run one at a time in order, with the agent identity in its environment', async (t) => {
  const engine = testEngine(t)
  const log = join(tempDir(t), 'runs.log')
  // Each run logs its start and end; overlapping runs would interleave them.
  const script = `const fs = require('fs'); const input = fs.readFileSync(0, 'utf8'); fs.appendFileSync(process.env.LOG, 'start ' + input + '\\n');
    const e = process.env; console.log(JSON.stringify({ pid: process.pid, input, agent: e.GENSWARMS_AGENT, swarm: e.GENSWARMS_SWARM, skills: JSON.parse(e.GENSWARMS_SKILLS), type: e.GENSWARMS_INPUT_TYPE, from: e.GENSWARMS_INPUT_FROM }));
    fs.appendFileSync(process.env.LOG, 'end ' + input + '\\n')`
  await engine.swarmManager.start(swarmConfig('ord', [textAgent('solo', [node, '-e', script], { env: { LOG: log } }, { skills: ['a.md', 'b.md'] })]))
  for (const input of ['one', 'two', 'three']) engine.swarmManager.sendTask('ord', 'solo', input)
  await turnsDone(engine, 'ord', 'solo', 3)
  const runs = outputsOf(engine, 'ord', 'solo').map((o) => JSON.parse(o) as Record<string, unknown>)
  t.same(runs.map((r) => r.input), ['one', 'two', 'three'], 'in the order given')
  t.equal(new Set(runs.map((r) => r.pid)).size, 3, 'a new process for each input')
  t.match(runs[0], { agent: 'solo', swarm: 'ord', skills: ['a.md', 'b.md'], type: 'task', from: 'orchestrator' })
  t.same(readFileSync(log, 'utf8').trim().split('\n'), ['start one', 'end one', 'start two', 'end two', 'start three', 'end three'], 'never two at once')
})

t.test('a {input} placeholder passes the input as one argv item, never through a shell', async (t) => {
  const engine = testEngine(t)
  const dir = tempDir(t)
  const script = `console.log(JSON.stringify({ argv: process.argv.slice(1), stdin: require('fs').readFileSync(0, 'utf8') }))`
  await engine.swarmManager.start(swarmConfig('arg', [textAgent('a', [node, '-e', script, '--', '--prompt={input}', 'plain'], { cwd: dir })]))
  const nasty = `$(touch pwned) ; rm -rf x && 'quoted' "double" \`tick\`\nsecond line`
  engine.swarmManager.sendTask('arg', 'a', nasty)
  await turnsDone(engine, 'arg', 'a', 1)
  const out = JSON.parse(outputsOf(engine, 'arg', 'a')[0]!) as { argv: string[]; stdin: string }
  t.same(out.argv, [`--prompt=${nasty}`, 'plain'], 'node -e takes the -- itself')
  t.equal(out.stdin, '', 'stdin is empty when the input is an argument')
  t.notOk(existsSync(join(dir, 'pwned')), 'nothing was interpreted by a shell')
})

t.test('a non-zero exit is an agent_error with its code; the agent is idle and the next input runs', async (t) => {
  const engine = testEngine(t)
  await engine.swarmManager.start(swarmConfig('bad', [textAgent('w', [node, PROMPT_CLI], { env: { HANDOFF: 'sink' } }), mockAgent('sink')], [['w', 'sink']]))
  engine.swarmManager.sendTask('bad', 'w', 'please fail')
  await turnsDone(engine, 'bad', 'w', 1)
  const [error] = events(engine, 'bad', 'agent_error')
  t.equal(error?.level, 'error')
  t.equal(error?.agent, 'w')
  t.match(error?.message, /^agent w: \S*node exited with code 2: w: asked to fail$/, 'names the program, the code and what it said last')
  t.match(error?.metadata, { protocol: 'text', reason: 'exit', code: 2, signal: null, stderr: 'w: asked to fail' })
  const stderr = events(engine, 'bad', 'backend_stderr')
  t.same(stderr.map((e) => [e.level, e.message]), [['debug', 'w: asked to fail']])
  t.same(outputsOf(engine, 'bad', 'w'), [], 'a failed run publishes no output')
  t.equal(engine.swarmManager.agentStatus('bad', 'w').state, 'idle')

  engine.swarmManager.sendTask('bad', 'w', 'now succeed')
  await turnsDone(engine, 'bad', 'w', 2)
  t.same(outputsOf(engine, 'bad', 'w'), ['w read what orchestrator sent: now succeed\n@sink: w\'s take on "now succeed"'])
  t.equal(events(engine, 'bad', 'agent_error').length, 1)
})

t.test('a run past timeout_ms is killed as a tree with an error event', async (t) => {
  const engine = testEngine(t)
  const pidFile = join(tempDir(t), 'grandchild.pid')
  // The shell leaves a grandchild behind and waits on it: both must go.
  const script = 'sleep 30 & echo $! > "$PIDFILE"; wait'
  await engine.swarmManager.start(swarmConfig('slow', [textAgent('s', ['sh', '-c', script], { timeout_ms: 300, env: { PIDFILE: pidFile } })]))
  engine.swarmManager.sendTask('slow', 's', 'take forever')
  await turnsDone(engine, 'slow', 's', 1)
  const [error] = events(engine, 'slow', 'agent_error')
  t.match(error?.metadata, { protocol: 'text', reason: 'timeout', timeout_ms: 300 })
  t.match(error?.message, /timeout_ms \(300 ms\)/)
  const grandchild = Number(readFileSync(pidFile, 'utf8'))
  await waitFor(() => !isPidAlive(grandchild), 'grandchild killed')
  t.equal(engine.swarmManager.agentStatus('slow', 's').state, 'idle')
})

t.test('stop, restart and remove kill a running process tree at once, and report nothing for it', async (t) => {
  const engine = testEngine(t)
  const dir = tempDir(t)
  const script = 'sleep 30 & echo $! > "$PIDFILE.$GENSWARMS_AGENT"; wait'
  const agent = (name: string) => textAgent(name, ['sh', '-c', script], { env: { PIDFILE: join(dir, 'pid') } })
  await engine.swarmManager.start(swarmConfig('halt', [agent('a'), agent('b'), agent('c')]))
  for (const name of ['a', 'b', 'c']) engine.swarmManager.sendTask('halt', name, 'run long')
  const grandchild = (name: string) => waitFor(() => existsSync(join(dir, `pid.${name}`)) && Number(readFileSync(join(dir, `pid.${name}`), 'utf8')), `${name} running`)

  const a = await grandchild('a')
  const restarted = await engine.swarmManager.restartAgent('halt', 'a')
  t.equal(restarted.state, 'idle')
  await waitFor(() => !isPidAlive(a), 'restart killed the running tree')

  const b = await grandchild('b')
  await engine.swarmManager.mutate('halt', { op: 'remove_agent', name: 'b' })
  await waitFor(() => !isPidAlive(b), 'remove killed the running tree')

  const c = await grandchild('c')
  const pid = engine.swarmManager.agentStatus('halt', 'c').pid
  t.ok(pid && isPidAlive(pid), 'status shows the running program')
  await engine.swarmManager.stop('halt')
  // A killed grandchild may linger a moment as a zombie until its new parent reaps it.
  await waitFor(() => !isPidAlive(c), 'stop killed the running tree')
  t.same(events(engine, 'halt', 'agent_error'), [], 'a killed run is not reported as a failure')
  t.same(events(engine, 'halt', 'agent_output'), [])
})

t.test('a 1 MiB answer arrives whole; past max_output_bytes it is cut with a warning', async (t) => {
  const engine = testEngine(t)
  const big = `process.stdout.write('é'.repeat(Number(process.argv[1])))`
  await engine.swarmManager.start(swarmConfig('big', [
    textAgent('whole', [node, '-e', big, String(512 * 1024)]),
    textAgent('capped', [node, '-e', big, '5000'], { max_output_bytes: 1001 }),
  ]))
  engine.swarmManager.sendTask('big', 'whole', 'go')
  engine.swarmManager.sendTask('big', 'capped', 'go')
  await turnsDone(engine, 'big', 'whole', 1)
  await turnsDone(engine, 'big', 'capped', 1)
  t.equal(outputsOf(engine, 'big', 'whole')[0], 'é'.repeat(512 * 1024), '1 MiB of two-byte characters, whole')
  t.same(events(engine, 'big', 'output_truncated').map((e) => e.agent), ['capped'])
  t.equal(outputsOf(engine, 'big', 'capped')[0], 'é'.repeat(500), 'cut at the cap, without a split character')
  const [warning] = events(engine, 'big', 'output_truncated')
  t.equal(warning?.level, 'warning')
  t.equal(warning?.category, 'backend')
  t.match(warning?.metadata, { protocol: 'text', max_output_bytes: 1001, total_bytes: 10000 })
})

t.test('a program that prints without end is bounded by the cap and ended by the timeout', async (t) => {
  const engine = testEngine(t)
  await engine.swarmManager.start(swarmConfig('yes', [textAgent('y', ['yes', 'spam'], { max_output_bytes: 4096, timeout_ms: 300 })]))
  engine.swarmManager.sendTask('yes', 'y', 'go')
  await turnsDone(engine, 'yes', 'y', 1)
  t.match(events(engine, 'yes', 'agent_error')[0]?.metadata, { reason: 'timeout' })
  const [warning] = events(engine, 'yes', 'output_truncated')
  t.ok((warning?.metadata.total_bytes as number) > 4096, 'more was printed than kept')
})

t.test('a program that cannot be found fails at start, naming it', async (t) => {
  const engine = testEngine(t)
  await t.rejects(engine.swarmManager.start(swarmConfig('gone', [textAgent('ghost', ['no-such-program-genswarms', '{input}'])])), {
    code: 'GS_BACKEND_START_FAILED',
    message: /cannot run no-such-program-genswarms/,
  })
  t.match(events(engine, 'gone', 'agent_error')[0]?.message, /ghost failed to start: cannot run no-such-program-genswarms/)
})

t.test('examples/text-swarm.yaml: the researcher hands on to the writer, the writer to the reviewer', async (t) => {
  const config = await loadConfigFile(fileURLToPath(new URL('../examples/text-swarm.yaml', import.meta.url)))
  // The example's paths are relative to the project root; the test may run elsewhere.
  for (const agent of config.agents) if (agent.backend.type === 'local') agent.backend.command = agent.backend.command.map((arg) => (arg.endsWith('prompt-cli.mjs') ? PROMPT_CLI : arg))
  const engine = testEngine(t)
  await engine.swarmManager.start(config)
  engine.swarmManager.sendTask('text-swarm', 'researcher', 'tides and the moon')
  await turnsDone(engine, 'text-swarm', 'reviewer', 1)
  t.same(events(engine, 'text-swarm', 'message_routed').map((e) => [e.metadata.from, e.metadata.to]), [['researcher', 'writer'], ['writer', 'reviewer']])
  t.same(outputsOf(engine, 'text-swarm', 'reviewer'), [`reviewer read what writer sent: writer's take on "researcher's take on "tides and the moon""`])
})
