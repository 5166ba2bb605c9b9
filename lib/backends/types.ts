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
  /** a piece of the answer of turn `turn` while it streams; the complete text still comes as `output` */
  | { type: 'delta'; turn: number; delta: string }
  /** what one turn cost, reported once per turn that reached the model */
  | { type: 'usage'; usage: TurnUsage }
  /** the backend died on its own (never reported for a requested stop) */
  | { type: 'exit'; code: number | null; signal: string | null }
  /** one turn failed; the backend still takes input, so the agent is not put in `error` */
  | { type: 'turn_error'; message: string; metadata: Record<string, unknown> }
  /** something the user should see that did not stop the turn, stored as `event_type` at level warning */
  | { type: 'warning'; event_type: string; message: string; metadata: Record<string, unknown> }

export interface TurnUsage {
  model: string
  prompt_tokens: number
  completion_tokens: number
  duration_ms: number
  tool_rounds: number
  /** the model still asked for tools when max_tool_rounds was spent */
  tool_limit_reached?: boolean
}

/** Whether a message an agent asked for was let through, and if not, why. */
export type Delivery =
  | { delivered: true; to: string[] }
  | { delivered: false; error: string; allowed_targets: string[] }

/**
 * What a backend may ask of its agent while a turn runs: who it can reach,
 * and to send a message whose outcome it needs (a tool call's result).
 */
export interface AgentContext {
  targets(): string[]
  send(directive: { kind: 'direct'; to: string; content: string } | { kind: 'broadcast'; content: string }): Delivery
  /** directories searched, in order, for the agent's skill files */
  skillDirs: string[]
  /** asks an object and waits for its reply; always settles (docs/objects.md, "ask") */
  ask(to: string, content: string): Promise<AskAnswer>
}

/** The answer to an `ask`: the object's reply, or why there is none. */
export type AskAnswer =
  | { ok: true; result: string }
  | { ok: false; error: string; timeout?: true }

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
