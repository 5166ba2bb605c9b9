import type { AgentSpec } from '../config/types.js'
import type { ObjectStatus } from '../objects/types.js'

export type AgentState = 'initializing' | 'idle' | 'working' | 'error' | 'stopped'

/** A routed message as logged by the router and pushed as message_routed / message_broadcast. */
export interface RoutingData {
  timestamp: string
  swarm: string
  from: string
  /** the target for `direct` and `ask`, every target for `broadcast` */
  to: string | string[]
  /** `ask`: a question to an object, or the object's reply to it */
  type: 'direct' | 'broadcast' | 'ask'
  content_preview: string
}

export interface HistoryEntry {
  timestamp: string
  direction: 'in' | 'out'
  kind: 'task' | 'message' | 'output'
  from?: string
  content: string
}

/** Tokens spent, as reported by the model's usage. */
export interface TokenTotals {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  turns: number
}

export interface AgentStatus {
  name: string
  state: AgentState
  backend: string
  model: string | null
  skills: string[]
  inbox: number
  pid: number | null
  targets: string[]
  tokens: TokenTotals
  budget: { max_tokens: number } | null
  spec: AgentSpec
}

export interface TopologyEntry {
  from: string
  targets: string[]
}

export interface SwarmStatus {
  name: string
  status: 'running' | 'paused'
  source: 'in_process'
  pid: number
  started_at: string
  config_path: string | null
  agents: AgentStatus[]
  /** with their runtime state (docs/objects.md) */
  objects: ObjectStatus[]
  topology: TopologyEntry[]
  message_count: number
  /** every agent's tokens, including agents removed since the swarm started */
  tokens: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
  budget: { max_tokens: number } | null
  /** queued task rows not yet answered (a swarm in the server takes tasks directly, so only rows left by an earlier daemon) */
  pending_tasks: number
}

export interface SwarmSummary {
  name: string
  status: string
  source: 'in_process' | 'daemon'
  pid: number | null
  agents: number
  started_at: string | null
}
