import { fileURLToPath } from 'node:url'
import t from 'tap'
import { loadConfigFile } from '../lib/config/load.js'
import { testEngine } from './helpers/engine.js'
import { forAgent, systemOf } from './helpers/fake-llm.js'
import { startFakeOpenAI } from './helpers/fake-openai.js'
import { waitForEvent } from './helpers/llm.js'

const example = fileURLToPath(new URL('../examples/llm-swarm.yaml', import.meta.url))

t.test('examples/llm-swarm.yaml validates, names no endpoint or key, and runs with its skills against an OpenAI-compatible server', async (t) => {
  const config = await loadConfigFile(example)
  t.same(config.agents.map((a) => [a.name, a.backend.type, a.skills]), [
    ['researcher', 'openai', ['researcher']], ['writer', 'openai', ['writer']], ['reviewer', 'openai', ['reviewer']],
  ])
  t.ok(config.agents.every((a) => a.backend.type === 'openai' && a.backend.base_url === undefined && a.backend.api_key_env === undefined),
    'the endpoint and key come from OPENAI_BASE_URL / OPENAI_API_KEY')

  const fake = await startFakeOpenAI(t)
  const previous = process.env.OPENAI_BASE_URL
  process.env.OPENAI_BASE_URL = fake.url
  t.teardown(() => {
    if (previous === undefined) delete process.env.OPENAI_BASE_URL
    else process.env.OPENAI_BASE_URL = previous
  })
  fake.replyWhen(forAgent('researcher'), { tool_calls: [{ id: 'c', name: 'send_message', arguments: { to: 'writer', content: 'facts' } }] }, { text: ['Sent.'] })
  fake.replyWhen(forAgent('writer'), { text: ['A draft.'] })
  const engine = testEngine(t)
  await engine.swarmManager.start(config, { configPath: example })
  engine.swarmManager.sendTask('llm-swarm', 'researcher', 'owls')
  await waitForEvent(engine, 'llm-swarm', 'agent_output', 'writer')
  const researcher = fake.requests.find((r) => forAgent('researcher')(r.body))!
  t.equal(researcher.body.model, 'llama3.2')
  t.match(systemOf(researcher.body), /^# Researcher\n/, "the researcher's skill file opens its system prompt")
  t.match(systemOf(researcher.body), 'You can send messages to: writer.')
})
