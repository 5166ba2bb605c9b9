import type { AgentSpec } from '../config/types.js'

export type AgentState = 'initializing' | 'idle' | 'working' | 'error' | 'stopped'

/** A routed message as logged by the router and pushed as message_routed / message_broadcast. */
export interface RoutingData {
  timestamp: string
  swarm: string
  from: string
  /** the target for `direct`, every target for `broadcast` */
  to: string | string[]
  type: 'direct' | 'broadcast'
  content_preview: string
}

export interface HistoryEntry {
  timestamp: string
  direction: 'in' | 'out'
  kind: 'task' | 'message' | 'output'
  from?: string
  content: string
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
  objects: { name: string; type: string }[]
  topology: TopologyEntry[]
  message_count: number
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
