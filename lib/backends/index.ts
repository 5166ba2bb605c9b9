import type { AgentSpec } from '../config/types.js'
import { LocalBackend } from './local.js'
import { MockBackend } from './mock.js'
import { TextBackend } from './text.js'
import type { AgentBackend, AgentIdentity } from './types.js'

export type { AgentBackend, AgentInput, BackendOutput, BackendHealth, AgentIdentity } from './types.js'

/** The one place that maps a backend spec to its implementation. */
export function createBackend(spec: AgentSpec, swarm: string): AgentBackend {
  const identity: AgentIdentity = { agent: spec.name, swarm, skills: spec.skills, ...(spec.model ? { model: spec.model } : {}) }
  switch (spec.backend.type) {
    case 'mock':
      return new MockBackend(spec.backend)
    case 'local':
      return spec.backend.protocol === 'text' ? new TextBackend(spec.backend, identity) : new LocalBackend(spec.backend, identity)
  }
}
