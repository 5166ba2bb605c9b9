import t from 'tap'
import { serializeConfig, validateConfig } from '../lib/config/validate.js'

const agent = (backend: unknown, extra: Record<string, unknown> = {}) => ({ name: 'a', backend, ...extra })

t.test('every LLM backend key is read, with the budgets', async (t) => {
  const result = validateConfig({
    name: 's',
    budget: { max_tokens: 1000 },
    agents: [agent({
      type: 'openai', model: 'gpt-4o-mini', base_url: 'http://127.0.0.1:11434/v1', api_key_env: 'OPENAI_API_KEY', temperature: 0.2,
      max_tokens: 500, timeout_ms: 30000, max_retries: 0, max_tool_rounds: 3, max_history_messages: 10, extra: { top_p: 0.9 },
    }, { budget: { max_tokens: 200 } }), { name: 'b', backend: { type: 'anthropic', model: 'claude-x' } }],
  })
  t.ok(result.ok)
  if (!result.ok) return
  t.same(result.config.budget, { max_tokens: 1000 })
  t.same(result.config.agents[0]!.budget, { max_tokens: 200 })
  t.same(result.config.agents[0]!.backend, {
    type: 'openai', model: 'gpt-4o-mini', base_url: 'http://127.0.0.1:11434/v1', api_key_env: 'OPENAI_API_KEY', temperature: 0.2,
    max_tokens: 500, timeout_ms: 30000, max_retries: 0, max_tool_rounds: 3, max_history_messages: 10, extra: { top_p: 0.9 },
  })
  const again = validateConfig(serializeConfig(result.config))
  t.ok(again.ok, 'the serialised config (what snapshots hold) validates back')
  t.same(again.ok && again.config, result.config)
})

t.test('every problem at once, each with its path; a key pasted as api_key_env is not echoed', async (t) => {
  const result = validateConfig({
    name: 's',
    budget: { max_tokens: 0 },
    agents: [
      agent({ type: 'openai', api_key_env: 'sk-live-abc123 secret', temperature: -1, max_tool_rounds: 0, base_url: 'ftp://x', extra: [], top_k: 3 }),
      { name: 'b', backend: { type: 'anthropic', model: '' }, budget: { tokens: 5 } },
      { name: 'c', backend: 'gemini' },
    ],
  })
  t.notOk(result.ok)
  if (result.ok) return
  t.same(result.errors.sort(), [
    'agents[0].backend.api_key_env: must be the NAME of an environment variable (such as "OPENAI_API_KEY"), never the key itself',
    'agents[0].backend.base_url: must be an http(s) URL such as "http://127.0.0.1:11434/v1", got string "ftp://x"',
    'agents[0].backend.extra: must be an object (merged into the request body), got a list',
    'agents[0].backend.max_tool_rounds: must be a positive integer, got number 0',
    'agents[0].backend.model: required for an openai backend (such as "gpt-4o-mini")',
    'agents[0].backend.temperature: must be a number >= 0, got number -1',
    'agents[0].backend.top_k: not a openai backend key (allowed: type, model, base_url, api_key_env, temperature, max_tokens, timeout_ms, max_retries, max_tool_rounds, max_history_messages, extra)',
    'agents[1].backend.model: must be a non-empty string, got string ""',
    'agents[1].budget.max_tokens: required',
    'agents[1].budget.tokens: unknown key (allowed: max_tokens)',
    'agents[2].backend: unknown backend "gemini" (expected "mock", "local", "openai", "anthropic")',
    'budget.max_tokens: must be a positive integer, got number 0',
  ].sort())
  t.notMatch(result.errors.join('\n'), 'sk-live-abc123')
})

t.test('LLM keys may sit in the agent config like other backend keys', async (t) => {
  const result = validateConfig({ name: 's', agents: [{ name: 'a', backend: 'openai', config: { model: 'm', temperature: 1, topic: 'owls' } }] })
  t.ok(result.ok)
  if (!result.ok) return
  t.same(result.config.agents[0]!.backend, { type: 'openai', model: 'm', temperature: 1 })
  t.same(result.config.agents[0]!.config, { topic: 'owls' })
})
