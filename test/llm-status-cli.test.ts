import t from 'tap'
import { createEngine } from '../lib/engine.js'
import { cliWorkspace } from './helpers/cli.js'
import { swarmConfig } from './helpers/engine.js'
import { startFakeOpenAI } from './helpers/fake-openai.js'
import { KEY_VAR, llmAgent, SECRET_KEY, waitForEvent } from './helpers/llm.js'

process.env[KEY_VAR] = SECRET_KEY

t.test('genswarms status shows each agent’s token totals, read from the stored usage of a swarm in another process', async (t) => {
  const ws = cliWorkspace(t)
  const fake = await startFakeOpenAI(t)
  fake.reply({ text: ['answer'], usage: { prompt: 120, completion: 30 } })
  const engine = createEngine({ dbPath: ws.db, buffered: false })
  t.teardown(() => engine.close())
  const config = { ...swarmConfig('tok', [
    llmAgent('a', { type: 'openai', base_url: fake.url }, { budget: { max_tokens: 1000 } }),
    llmAgent('b', { type: 'openai', base_url: fake.url }),
  ]), budget: { max_tokens: 5000 } }
  await engine.swarmManager.start(config)
  engine.swarmManager.sendTask('tok', 'a', 'go')
  await waitForEvent(engine, 'tok', 'agent_usage', 'a')

  const json = await ws.run(['status', 'tok', '--json'])
  t.equal(json.code, 0, json.stderr)
  const status = JSON.parse(json.stdout)
  t.same(status.agents.map((a: any) => [a.name, a.tokens, a.budget]), [
    ['a', { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, turns: 1 }, { max_tokens: 1000 }],
    ['b', { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, turns: 0 }, null],
  ])
  t.same(status.tokens, { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 })
  t.same(status.budget, { max_tokens: 5000 })
  const text = await ws.run(['status', 'tok'])
  t.match(text.stdout, /a \(openai\).*150\/1000 tokens/)
  t.match(text.stdout, /tokens\s+150\/5000 tokens/)
  t.notMatch(json.stdout + text.stdout, SECRET_KEY)
})
