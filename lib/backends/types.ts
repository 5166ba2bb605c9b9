import type { SkillText } from '../skills/agent-skills.js'

/** What an agent receives (sent to local programs as one JSON line; docs/architecture.md). */
export type AgentInput =
  | { type: 'task'; content: string; from: string; skills?: SkillText[] }
  | { type: 'message'; content: string; from: string; skills?: SkillText[] }

/** What a backend reports back. `status idle` ends a turn. */
export type BackendOutput =
  | { type: 'output'; content: string }
  | { type: 'send'; to: string; content: string }
  | { type: 'broadcast'; content: string }
  | { type: 'status'; state: string }
  | { type: 'stderr'; line: string }
  /** the backend died on its own (never reported for a requested stop) */
  | { type: 'exit'; code: number | null; signal: string | null }
  /** one turn failed; the backend still takes input, so the agent is not put in `error` */
  | { type: 'turn_error'; message: string; metadata: Record<string, unknown> }
  /** something the user should see that did not stop the turn, stored as `event_type` at level warning */
  | { type: 'warning'; event_type: string; message: string; metadata: Record<string, unknown> }

export interface BackendHealth {
  alive: boolean
  pid?: number
}

export interface AgentIdentity {
  agent: string
  swarm: string
  skills: string[]
  model?: string
}

/**
 * The interface every backend implements. `start` resolves once the backend
 * can take input (or rejects with a readable reason); `stop` resolves once
 * everything it started is gone.
 */
export interface AgentBackend {
  readonly kind: string
  start(): Promise<void>
  stop(): Promise<void>
  sendInput(input: AgentInput): void
  health(): BackendHealth
  onOutput(listener: (output: BackendOutput) => void): void
}
