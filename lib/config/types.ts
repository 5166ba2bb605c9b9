/** Swarm configuration after validation and normalisation. */

export interface MockRule {
  /** regular expression source, tried against the whole input */
  match: string
  response: string
  delay_ms?: number
}

export interface MockBackendSpec {
  type: 'mock'
  script?: MockRule[]
  echo?: boolean
}

export const LOCAL_PROTOCOLS = ['jsonl', 'text'] as const
export type LocalProtocol = (typeof LOCAL_PROTOCOLS)[number]
/** In a `protocol: text` command, the argv items where the input goes instead of stdin. */
export const INPUT_PLACEHOLDER = '{input}'

export interface LocalBackendSpec {
  type: 'local'
  /** argv; the first element is the program */
  command: string[]
  /** absent means `jsonl`: one long-lived process; `text` runs the command once per input */
  protocol?: LocalProtocol
  /** a plain-text program's turn ends after this much silence (ms); jsonl only */
  idle_ms?: number
  /** text only: a run still going after this long is killed (ms; 0 means never) */
  timeout_ms?: number
  /** text only: stdout kept per run; the rest is dropped with an `output_truncated` warning */
  max_output_bytes?: number
  /** grace between SIGTERM and SIGKILL on stop (ms) */
  kill_grace_ms?: number
  cwd?: string
  env?: Record<string, string>
}

/** A chat model behind an OpenAI-compatible endpoint or Anthropic's API (docs/agents.md). */
export interface LlmBackendSpec {
  type: 'openai' | 'anthropic'
  model: string
  base_url?: string
  /** the NAME of the environment variable holding the key; the key itself is never in a config */
  api_key_env?: string
  temperature?: number
  max_tokens?: number
  timeout_ms?: number
  max_retries?: number
  max_tool_rounds?: number
  max_history_messages?: number
  /** merged into every request body */
  extra?: Record<string, unknown>
}

export type BackendSpec = MockBackendSpec | LocalBackendSpec | LlmBackendSpec

/** Tokens (prompt + completion) an agent, or a whole swarm, may spend. */
export interface Budget {
  max_tokens: number
}

export interface AgentSpec {
  name: string
  backend: BackendSpec
  skills: string[]
  model?: string
  budget?: Budget
  /** skill texts set at runtime (PUT …/skills/:skill), by skill name without `.md`; they win over the library file */
  skill_overrides?: Record<string, string>
  /** free domain keys (backend keys are lifted into `backend`) */
  config: Record<string, unknown>
}

export interface ObjectSpec {
  name: string
  type: string
  config: Record<string, unknown>
  /** an ES module inside the working directory (docs/objects.md); without it the object only records deliveries */
  handler?: string
  /** per-call time limit of the handler (ms) */
  timeout_ms?: number
}

export interface Edge {
  from: string
  to: string
}

export interface SwarmConfig {
  name: string
  /** free text kept for snapshots; has no effect on the swarm */
  description?: string
  agents: AgentSpec[]
  objects: ObjectSpec[]
  topology: Edge[]
  budget?: Budget
  /** the interval of the `tick` system object; no ticks without it */
  tick_ms?: number
}

export const SWARM_NAME_RE = /^[A-Za-z][A-Za-z0-9_-]*$/
export const NODE_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Objects every swarm can address without an edge (docs/architecture.md, routing). */
export const SYSTEM_OBJECTS = ['metrics', 'tick', 'gateway'] as const

export function isSystemObject(name: string): boolean {
  return (SYSTEM_OBJECTS as readonly string[]).includes(name)
}
