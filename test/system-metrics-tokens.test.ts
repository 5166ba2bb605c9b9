import t from 'tap'
import { forAgent } from './helpers/fake-llm.js'
import { startFakeOpenAI } from './helpers/fake-openai.js'
import { KEY_VAR, llmAgent, SECRET_KEY } from './helpers/llm.js'
import { mockAgent } from './helpers/engine.js'
import { api, watch } from './helpers/objects.js'
import { outcome, startServer } from './helpers/server.js'

process.env[KEY_VAR] = SECRET_KEY

t.test('metrics counts the tokens an LLM agent reports, per agent and in total, and no key appears in them', async (t) => {
  const fake = await startFakeOpenAI(t)
  fake.replyWhen(forAgent('thinker'), { text: ['Thought it through.'], usage: { prompt: 30, completion: 12 } }, { text: ['Again.'], usage: { prompt: 40, completion: 8 } })
  const server = await startServer(t)
  const config = {
    name: 'tokens',
    agents: [llmAgent('thinker', { type: 'openai', model: 'fake-model', base_url: fake.url, api_key_env: KEY_VAR, max_retries: 0 }), mockAgent('quiet')],
    topology: [],
  }
  const created = await api(server, 'POST', '/api/swarms', { config })
  t.equal(created.status, 201, JSON.stringify(created.body))
  const w = await watch(t, server, 'tokens')

  for (const task of ['one', 'two']) {
    t.equal((await outcome(w.channel.push('send_task', { agent: 'thinker', task }))).status, 'ok')
    const n = task === 'one' ? 1 : 2
    await w.waitEvent(() => w.events().filter((e) => e.event_type === 'agent_usage').length >= n, `usage of turn ${n}`)
  }
  const metrics = await api(server, 'GET', '/api/swarms/tokens/metrics')
  t.match(metrics.body.tokens, { prompt_tokens: 70, completion_tokens: 20, total_tokens: 90, by_agent: { thinker: { prompt_tokens: 70, completion_tokens: 20, total_tokens: 90 } } })
  t.notOk('quiet' in metrics.body.tokens.by_agent, 'an agent whose backend knows no usage has no token entry')
  t.match(metrics.body.turns, { total: 2, by_agent: { thinker: 2 } })
  t.notOk(JSON.stringify(metrics.body).includes(SECRET_KEY))
})
