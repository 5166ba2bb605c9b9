import { symlinkSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { isGenswarmsError, type GenswarmsError } from '../lib/errors.js'
import {
  loadConfigFile,
  loadConfigFileSync,
  parseConfigText,
  resolveConfigPath,
  serializeAgentSpec,
  serializeConfig,
  summarizeConfig,
  validateAgentSpec,
  validateConfig,
  validateEdges,
  type SwarmConfig,
} from '../lib/config/index.js'

const examples = new URL('../examples/', import.meta.url).pathname

function errorsOf(raw: unknown): string[] {
  const result = validateConfig(raw)
  if (result.ok) throw new Error('expected the config to be invalid')
  return result.errors
}

function configOf(raw: unknown): SwarmConfig {
  const result = validateConfig(raw)
  if (!result.ok) throw new Error(`expected a valid config, got: ${result.errors.join('; ')}`)
  return result.config
}

/** Runs `fn` and returns the GenswarmsError it throws; anything else fails the test. */
async function rejection(fn: () => unknown): Promise<GenswarmsError> {
  try {
    await fn()
  } catch (err) {
    if (isGenswarmsError(err)) return err
    throw new Error(`expected a GenswarmsError, got ${String(err)}`)
  }
  throw new Error('expected an error, none was thrown')
}

t.test('a config with several errors reports every one with its path', async (t) => {
  const errors = errorsOf({
    name: '9lives',
    topolgy: [],
    agents: [
      { name: 'coder', backend: 'mock' },
      { name: 'coder', backend: 'mock' },
      { name: 'metrics', backend: 'mock' },
      { name: 'bad-name', backend: 'local' },
      { name: 'tester', backend: { type: 'mock', script: [{ match: '(', response: 'x', delay_ms: -1 }] } },
      { name: 'runner', backend: 'ssh', skils: ['a.md'] },
      { name: 'lister', backend: { type: 'local', command: 'python agent.py' }, skills: ['ok.md', 3] },
    ],
    topology: [['coder', 'tester'], ['coder', 'coder'], ['coder', 'cdr'], { from: 'tester' }, 'coder->tester'],
  })
  const expected = [
    'name: must match ^[A-Za-z][A-Za-z0-9_-]*$, got "9lives"',
    'topolgy: unknown key (allowed: name, description, version, agents, objects, topology, budget, tick_ms)',
    'agents[1].name: duplicate name "coder"',
    'agents[2].name: "metrics" is reserved for a system object',
    'agents[3].name: must match ^[A-Za-z_][A-Za-z0-9_]*$, got "bad-name"',
    'agents[3].backend.command: required for a local backend (an argv list such as ["python3", "agent.py"])',
    'agents[4].backend.script[0].match: invalid regular expression: Invalid regular expression: /(/: Unterminated group',
    'agents[4].backend.script[0].delay_ms: must be a non-negative integer, got number -1',
    'agents[5].skils: unknown key (allowed: name, backend, skills, model, budget, config)',
    'agents[5].backend: unknown backend "ssh" (expected "mock", "local", "openai", "anthropic")',
    'agents[6].backend.command: must be a non-empty list of strings (argv, such as ["python3", "agent.py"]), got string "python agent.py"',
    'agents[6].skills[1]: must be a string, got number 3',
    'topology[1]: self-edge "coder" -> "coder" is not allowed',
    'topology[2]: unknown node "cdr"',
    'topology[3].to: required',
    'topology[4]: must be [from, to] or {from, to}, got string "coder->tester"',
  ]
  t.same(errors.toSorted(), expected.toSorted())
})

t.test('root, list and empty-swarm errors', async (t) => {
  t.same(errorsOf([]), ['<root>: must be an object, got a list'])
  t.same(errorsOf({}), ['name: required', 'agents: a swarm needs at least one agent or object'])
  t.same(errorsOf({ name: 's', agents: { a: 1 } }), ['agents: must be a list, got object'])
  t.same(errorsOf({ name: 's', agents: [{ name: 'a' }] }), ['agents[0].backend: required ("mock", "local", "openai", "anthropic" or an object with a type)'])
  t.ok(configOf({ name: 's', objects: [{ name: 'counter' }] }), 'objects alone make a swarm')
})

t.test('description and version are allowed; description is kept', async (t) => {
  const config = configOf({ name: 's', description: 'demo', version: 2, agents: [{ name: 'a', backend: 'mock' }] })
  t.equal(config.description, 'demo')
  t.notOk('version' in config)
})

t.test('backend keys are normalised from either form', async (t) => {
  const script = [{ match: '^hi', response: '@b: hello', delay_ms: 10 }]
  const config = configOf({
    name: 'norm',
    agents: [
      { name: 'a', backend: 'mock', config: { script, echo: true, persona: 'terse' } },
      { name: 'b', backend: { type: 'mock', script } },
      { name: 'c', backend: 'local', model: 'm1', config: { command: ['node', 'agent.js'], idle_ms: 500, env: { DEBUG: 1, MODE: 'x' }, topic: 'ai' } },
      { name: 'd', backend: { type: 'local', command: ['python3', 'a.py'], kill_grace_ms: 0, cwd: 'agents' }, skills: ['web.md'] },
      { name: 'e', backend: 'mock', config: { command: ['not', 'lifted'] } },
    ],
    objects: [{ name: 'metrics' }, { name: 'store', type: 'kv', config: { size: 3 } }],
    topology: [['a', 'b'], { from: 'a', to: 'b' }, ['b', 'gateway'], ['tick', 'a']],
  })
  t.same(config.agents, [
    { name: 'a', backend: { type: 'mock', script, echo: true }, skills: [], config: { persona: 'terse' } },
    { name: 'b', backend: { type: 'mock', script }, skills: [], config: {} },
    {
      name: 'c',
      backend: { type: 'local', command: ['node', 'agent.js'], idle_ms: 500, env: { DEBUG: '1', MODE: 'x' } },
      skills: [],
      model: 'm1',
      config: { topic: 'ai' },
    },
    { name: 'd', backend: { type: 'local', command: ['python3', 'a.py'], kill_grace_ms: 0, cwd: 'agents' }, skills: ['web.md'], config: {} },
    { name: 'e', backend: { type: 'mock' }, skills: [], config: { command: ['not', 'lifted'] } },
  ])
  t.same(config.objects, [
    { name: 'metrics', type: 'handler', config: {} },
    { name: 'store', type: 'kv', config: { size: 3 } },
  ])
  t.same(config.topology, [
    { from: 'a', to: 'b' },
    { from: 'b', to: 'gateway' },
    { from: 'tick', to: 'a' },
  ], 'edges normalised, duplicates collapsed, system objects accepted')
})

t.test('a backend key given twice, or for the wrong backend, is an error', async (t) => {
  t.same(errorsOf({ name: 's', agents: [{ name: 'a', backend: { type: 'mock', script: [] }, config: { script: [] } }] }), [
    'agents[0].config.script: also set in agents[0].backend.script; give it once',
  ])
  t.same(errorsOf({ name: 's', agents: [{ name: 'a', backend: { type: 'mock', command: ['x'] } }] }), [
    'agents[0].backend.command: not a mock backend key (allowed: type, script, echo)',
  ])
  t.same(errorsOf({ name: 's', agents: [{ name: 'a', backend: 'local', config: { command: [], idle_ms: 1.5 } }] }), [
    'agents[0].config.command: must be a non-empty list of strings (argv, such as ["python3", "agent.py"]), got a list',
    'agents[0].config.idle_ms: must be a non-negative integer, got number 1.5',
  ], 'errors of lifted keys point at where the user wrote them')
})

t.test('validation does not mutate its input', async (t) => {
  const raw = { name: 's', agents: [{ name: 'a', backend: 'mock', config: { script: [], x: 1 } }] }
  const before = structuredClone(raw)
  configOf(raw)
  t.same(raw, before)
})

t.test('serializeAgentSpec round trips through validateConfig', async (t) => {
  const original = configOf({
    name: 'trip',
    agents: [
      { name: 'a', backend: 'local', model: 'm', skills: ['s.md'], config: { command: ['node', 'x.js'], env: { A: 'b' }, domain: { deep: [1, 2] } } },
      { name: 'b', backend: 'mock', config: { script: [{ match: '.', response: '@a: ok' }] } },
    ],
    topology: [['a', 'b'], ['b', 'a']],
  })
  const specs = original.agents.map(serializeAgentSpec)
  t.same(JSON.parse(JSON.stringify(specs)), specs, 'plain JSON')
  t.notOk('model' in specs[1]!, 'no undefined keys')
  const again = configOf({ name: original.name, agents: specs, topology: original.topology })
  t.strictSame(again, original)
  t.strictSame(configOf(serializeConfig(original)), original, 'serializeConfig round trips too')
  t.same(summarizeConfig(original), { name: 'trip', agents: ['a', 'b'], objects: [], edges: 2 })
})

t.test('validateAgentSpec and validateEdges for runtime changes', async (t) => {
  const ok = validateAgentSpec({ name: 'x_1', backend: 'mock' }, ['x'])
  t.ok(ok.ok)
  const dup = validateAgentSpec({ name: 'x', backend: 'mock' }, ['x'])
  t.same(dup, { ok: false, errors: ['agent.name: duplicate name "x"'] })
  t.same(validateEdges([['a', 'b'], ['a', 'zz']], ['a', 'b']), { ok: false, errors: ['edges[1]: unknown node "zz"'] })
  t.same(validateEdges([{ from: 'a', to: 'metrics' }], ['a']), { ok: true, edges: [{ from: 'a', to: 'metrics' }] })
})

t.test('loading YAML and JSON files', async (t) => {
  const dir = t.testdir({
    'swarm.yaml': 'name: y\nagents:\n  - name: a\n    backend: mock\n  - name: b\n    backend: mock\ntopology:\n  - [a, b]\n',
    'swarm.yml': 'name: yml\nagents: [{name: a, backend: mock}]\n',
    'swarm.json': JSON.stringify({ name: 'j', agents: [{ name: 'a', backend: 'mock' }] }),
    'broken.yaml': 'name: y\nagents:\n  - name: a\n   backend: mock\n',
    'broken.json': '{\n  "name": "j",\n  "agents": [,]\n}\n',
    'invalid.yaml': 'name: y\nagents:\n  - name: a\n    backend: mock\ntopology:\n  - [a, nobody]\n',
    'empty.yaml': '',
    'swarm.exs': '%{}',
    'swarm.toml': 'name = "x"',
  })
  t.same((await loadConfigFile(join(dir, 'swarm.yaml'))).topology, [{ from: 'a', to: 'b' }])
  t.equal((await loadConfigFile(join(dir, 'swarm.yml'))).name, 'yml')
  t.equal((await loadConfigFile(join(dir, 'swarm.json'))).name, 'j')
  t.equal(loadConfigFileSync(join(dir, 'swarm.json')).name, 'j')

  const yamlErr = await rejection(() => loadConfigFile(join(dir, 'broken.yaml')))
  t.equal(yamlErr.code, 'GS_CONFIG_FILE')
  t.match(yamlErr.message, `${join(dir, 'broken.yaml')}:4:1: invalid YAML`)
  const jsonErr = await rejection(() => loadConfigFile(join(dir, 'broken.json')))
  t.match(jsonErr.message, `${join(dir, 'broken.json')}:3:14: invalid JSON`)

  const invalid = await rejection(() => loadConfigFile(join(dir, 'invalid.yaml')))
  t.equal(invalid.code, 'GS_INVALID_CONFIG')
  t.same(invalid.details, ['topology[0]: unknown node "nobody"'])
  t.match(invalid.message, 'topology[0]: unknown node "nobody"')

  t.match((await rejection(() => loadConfigFile(join(dir, 'empty.yaml')))).message, 'config is empty')
  t.match((await rejection(() => loadConfigFile(join(dir, 'swarm.exs')))).message, 'Elixir (.exs) configs are not supported')
  t.match((await rejection(() => loadConfigFile(join(dir, 'swarm.toml')))).message, 'use .json, .yaml, .yml')
  t.match((await rejection(() => loadConfigFile(join(dir, 'missing.yaml')))).message, 'config file not found')
})

t.test('parseConfigText handles the REST {content, format} case', async (t) => {
  t.equal(parseConfigText('{"name":"x","agents":[{"name":"a","backend":"mock"}]}', 'json').name, 'x')
  t.equal(parseConfigText('name: x\nobjects: [{name: o}]\n', 'yaml').objects[0]!.type, 'handler')
  t.match((await rejection(() => parseConfigText('a: [1', 'yaml'))).message, '<config>:1:')
  t.match((await rejection(() => parseConfigText('{"name": "x",\n "ok": tru}', 'json'))).message, '<config>:2:8: invalid JSON')
  t.match((await rejection(() => parseConfigText('{"name": "x",}', 'json'))).message, '<config>:1:14: invalid JSON')
  t.match((await rejection(() => parseConfigText('x', 'toml' as 'json'))).message, 'unsupported config format "toml"')
})

t.test('resolveConfigPath refuses paths outside the working directory', async (t) => {
  const root = t.testdir({
    work: { 'ok.yaml': 'name: x', sub: { 'deep.yaml': 'name: y' } },
    'secret.yaml': 'name: s',
  })
  const cwd = join(root, 'work')
  symlinkSync(join(root, 'secret.yaml'), join(cwd, 'link.yaml'))
  symlinkSync(join(cwd, 'ok.yaml'), join(cwd, 'inner-link.yaml'))

  t.equal(resolveConfigPath('ok.yaml', cwd), join(cwd, 'ok.yaml'))
  t.equal(resolveConfigPath('sub/../sub/deep.yaml', cwd), join(cwd, 'sub', 'deep.yaml'))
  t.equal(resolveConfigPath(join(cwd, 'ok.yaml'), cwd), join(cwd, 'ok.yaml'), 'absolute inside is fine')
  t.equal(resolveConfigPath('inner-link.yaml', cwd), join(cwd, 'ok.yaml'), 'symlink inside is resolved')
  t.equal(resolveConfigPath('new.yaml', cwd), join(cwd, 'new.yaml'), 'a missing file inside is left to the reader')
  for (const escape of ['../secret.yaml', 'sub/../../secret.yaml', join(root, 'secret.yaml'), '/etc/passwd', 'link.yaml']) {
    const err = await rejection(() => resolveConfigPath(escape, cwd))
    t.match(err.message, 'resolves outside the working directory', escape)
  }
})

t.test('the examples validate', async (t) => {
  const research = await loadConfigFile(join(examples, 'research-swarm.yaml'))
  t.same(research.agents.map((a) => a.name), ['researcher', 'writer', 'reviewer'])
  t.same(research.topology, [
    { from: 'researcher', to: 'writer' },
    { from: 'writer', to: 'researcher' },
    { from: 'writer', to: 'reviewer' },
    { from: 'reviewer', to: 'writer' },
  ])
  for (const agent of research.agents) {
    t.equal(agent.backend.type, 'mock')
    t.ok(agent.backend.type === 'mock' && agent.backend.script?.length, `${agent.name} is scripted`)
  }
  const json = await loadConfigFile(join(examples, 'ticket-triage.json'))
  t.equal(json.name, 'ticket-triage')
  for (const agent of json.agents) t.ok(agent.backend.type === 'mock' && agent.backend.script?.length, `ticket-triage's ${agent.name} answers from a script (none echoes)`)
})
