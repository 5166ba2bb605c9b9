import t from 'tap'
import { serializeConfig, validateAgentSpec, validateConfig, type SwarmConfig } from '../lib/config/index.js'

function errorsOf(backend: unknown, config: Record<string, unknown> = {}): string[] {
  const result = validateConfig({ name: 's', agents: [{ name: 'a', backend, config }] })
  if (result.ok) throw new Error('expected the config to be invalid')
  return result.errors
}

function configOf(raw: unknown): SwarmConfig {
  const result = validateConfig(raw)
  if (!result.ok) throw new Error(`expected a valid config, got: ${result.errors.join('; ')}`)
  return result.config
}

t.test('protocol: text with its keys, from the backend or the agent config, round-trips', async (t) => {
  const config = configOf({
    name: 's',
    agents: [
      { name: 'a', backend: { type: 'local', protocol: 'text', command: ['llm', '-m', 'x', '{input}'], timeout_ms: 0, max_output_bytes: 1024 } },
      { name: 'b', backend: 'local', config: { protocol: 'text', command: ['sh', 'ask.sh'], timeout_ms: 5000, kill_grace_ms: 100 } },
      { name: 'c', backend: { type: 'local', protocol: 'jsonl', command: ['node', 'agent.js'], idle_ms: 200 } },
      { name: 'd', backend: { type: 'local', command: ['node', 'agent.js'] } },
    ],
  })
  t.same(config.agents.map((a) => a.backend), [
    { type: 'local', command: ['llm', '-m', 'x', '{input}'], protocol: 'text', timeout_ms: 0, max_output_bytes: 1024 },
    { type: 'local', command: ['sh', 'ask.sh'], protocol: 'text', timeout_ms: 5000, kill_grace_ms: 100 },
    { type: 'local', command: ['node', 'agent.js'], protocol: 'jsonl', idle_ms: 200 },
    { type: 'local', command: ['node', 'agent.js'] },
  ], 'no protocol stays absent: the JSON-lines behaviour of before')
  t.same(configOf(serializeConfig(config)), config, 'validateConfig takes its own serialisation back')
})

t.test('every mistake is reported with its path', async (t) => {
  t.same(errorsOf({ type: 'local', command: ['x'], protocol: 'xml' }), ['agents[0].backend.protocol: must be "jsonl" or "text", got string "xml"'])
  t.same(errorsOf({ type: 'local', protocol: 'text', command: ['x'], idle_ms: 10, timeout_ms: -1, max_output_bytes: 0 }), [
    'agents[0].backend.idle_ms: only for protocol: jsonl (a text run ends its turn when it exits)',
    'agents[0].backend.timeout_ms: must be a non-negative integer, got number -1',
    'agents[0].backend.max_output_bytes: must be at least 1',
  ])
  t.same(errorsOf('local', { command: ['node', 'a.js', '{input}'], timeout_ms: 5, max_output_bytes: 9 }), [
    'agents[0].config.timeout_ms: only for protocol: text (a jsonl program runs for the whole life of the agent)',
    "agents[0].config.max_output_bytes: only for protocol: text (a jsonl program's output is read line by line)",
    'agents[0].config.command[2]: {input} is only replaced with protocol: text',
  ])
  t.same(errorsOf({ type: 'local', protocol: 'text', command: ['{input}', 'x'] }), [
    'agents[0].backend.command[0]: the program cannot be the {input} placeholder; put it in an argument',
  ])
  t.same(errorsOf({ type: 'mock', protocol: 'text' }), ['agents[0].backend.protocol: not a mock backend key (allowed: type, script, echo)'])
  const added = validateAgentSpec({ name: 'n', backend: { type: 'local', protocol: 'TEXT', command: ['x'] } })
  t.same(added, { ok: false, errors: ['agent.backend.protocol: must be "jsonl" or "text", got string "TEXT"'] }, 'agents added at runtime too')
})
