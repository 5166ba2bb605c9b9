import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AgentSpec, LlmBackendSpec } from '../../lib/config/types.js'
import type { Engine } from '../../lib/engine.js'
import type { SwarmEvent } from '../../lib/events/types.js'
import { waitFor } from './engine.js'

/** The variable the tests' keys are read from, and a key that must never show up anywhere. */
export const KEY_VAR = 'GENSWARMS_TEST_LLM_KEY'
export const SECRET_KEY = 'sk-test-Zq8vNbT3secretKEY'

export function llmAgent(name: string, backend: Partial<LlmBackendSpec> & { type: LlmBackendSpec['type']; base_url: string }, extra: Partial<AgentSpec> = {}): AgentSpec {
  return { name, backend: { model: 'fake-model', api_key_env: KEY_VAR, max_retries: 0, ...backend }, skills: [], config: {}, ...extra }
}

/** Writes skill files into `<dir>/skills`, where a swarm whose config sits in `dir` finds them. */
export function writeSkills(dir: string, skills: Record<string, string>): string {
  mkdirSync(join(dir, 'skills'), { recursive: true })
  for (const [name, text] of Object.entries(skills)) writeFileSync(join(dir, 'skills', `${name}.md`), text)
  return join(dir, 'swarm.yaml')
}

export function eventsOf(engine: Engine, swarm: string, event_type: string, agent?: string): SwarmEvent[] {
  return engine.eventStore.query({ swarm, event_type, ...(agent ? { agent } : {}), limit: 1000 }).reverse()
}

export function waitForEvent(engine: Engine, swarm: string, event_type: string, agent?: string, count = 1): Promise<SwarmEvent[]> {
  return waitFor(() => {
    const found = eventsOf(engine, swarm, event_type, agent)
    return found.length >= count ? found : null
  }, `${count} ${event_type} event(s)${agent ? ` of ${agent}` : ''}`)
}
