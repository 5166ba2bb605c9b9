import type { AgentSpec } from '../config/types.js'
import { anthropicProvider } from './anthropic.js'
import { LlmBackend } from './llm/backend.js'
import { LocalBackend } from './local.js'
import { MockBackend } from './mock.js'
import { TextBackend } from './text.js'
import { openaiProvider } from './openai.js'
import type { AgentBackend, AgentContext, AgentIdentity } from './types.js'

export type { AgentBackend, AgentInput, BackendOutput, BackendHealth, AgentIdentity, AgentContext, AskAnswer, Delivery, TurnUsage } from './types.js'

/** The one place that maps a backend spec to its implementation. */
export function createBackend(spec: AgentSpec, swarm: string, ctx: AgentContext): AgentBackend {
  const model = spec.model ?? (spec.backend.type === 'openai' || spec.backend.type === 'anthropic' ? spec.backend.model : undefined)
  const identity: AgentIdentity = { agent: spec.name, swarm, skills: spec.skills, ...(model ? { model } : {}) }
  switch (spec.backend.type) {
    case 'mock':
      return new MockBackend(spec.backend)
    case 'local':
      return spec.backend.protocol === 'text' ? new TextBackend(spec.backend, identity) : new LocalBackend(spec.backend, identity, ctx)
    case 'openai':
      return new LlmBackend(spec.backend, identity, ctx, openaiProvider)
    case 'anthropic':
      return new LlmBackend(spec.backend, identity, ctx, anthropicProvider)
  }
}
