import type { SwarmConfig } from '../config/types.js'
import type { OverlayEntry, SwarmRegistry } from '../db/registry.js'
import type { ObjectStatus } from '../objects/types.js'
import type { MetricsSnapshot } from '../objects/system/metrics.js'
import type { MessageInput, MutationInput, RoutedResult, SendTaskInput, SendTaskResult } from '../operations/types.js'
import type { SwarmManager } from '../swarm/manager.js'
import type { PauseOutcome } from '../swarm/pause.js'
import type { AgentSkill } from '../skills/agent-skills.js'
import type { AgentStatus, HistoryEntry, RoutingData, SwarmStatus } from '../swarm/types.js'
import type { RegistrySwarmStatus } from './registry-view.js'

/** Where a swarm runs, as far as the caller can tell. */
export type HostKind = 'in_process' | 'daemon' | 'server'

/** What a mutation changed; a server's REST answer leaves out the overlay entry it recorded. */
export interface Mutated {
  added: string[]
  removed: string[]
  failed: string[]
  overlay_seq?: number
}

export interface StopOptions {
  /** how long to wait for a daemon to stop (default 5 s) */
  timeoutMs?: number
  /** also wait until the daemon's process is gone, so its last events are flushed */
  waitForExit?: boolean
  /** told what is being waited for (the CLI's spinner) */
  onProgress?: (text: string) => void
}

export interface DaemonLaunch {
  /** argv of the genswarms CLI: a daemon is this program */
  entry: string[]
  dbPath: string
  env?: NodeJS.ProcessEnv
}

export interface RestartOptions extends StopOptions {
  /** purge events, queues and overlay before starting again */
  clean?: boolean
  cwd: string
  /** how to relaunch a swarm as a daemon; without it, a swarm restarts in this process */
  daemon?: DaemonLaunch | null
  /** relaunch as a daemon even if it last ran elsewhere (the CLI has no process to keep a swarm in) */
  alwaysDaemon?: boolean
}

export type RestartOutcome =
  | { host: 'in_process'; agents: string[]; failed: { agent: string; reason: string }[] }
  | { host: 'daemon'; agents: string[]; failed: never[]; pid: number; log_path: string; config_path?: string }

export type HostStatus = SwarmStatus | RegistrySwarmStatus

/** A value now, or later. */
export type Awaitable<T> = T | Promise<T>

/**
 * One swarm, wherever it runs. The channel, the routes, the lifecycle
 * operations and the CLI talk to a swarm only through this; `locate` picks
 * the implementation. An operation a host cannot serve throws the named
 * error that says why (swarmInDaemon, swarmNotRunning).
 */
export interface SwarmHost {
  readonly name: string
  readonly kind: HostKind
  /** false for a swarm whose row reads stopped or crashed */
  readonly running: boolean
  /**
   * Synchronous where the host can answer at once (in process, the task
   * queue): a socket that handles a send_task synchronously does not hold
   * the messages behind it on that topic.
   */
  sendTask(input: SendTaskInput): Awaitable<SendTaskResult>
  sendMessage(input: MessageInput): Promise<RoutedResult>
  mutate(mutation: MutationInput): Promise<Mutated>
  /** Tasks and messages queue until resume; a turn in progress finishes. */
  pause(): Promise<PauseOutcome>
  /** One agent's skills with the text its next turn is given. */
  agentSkills(agent: string): Promise<AgentSkill[]>
  resume(): Promise<PauseOutcome>
  /** Synchronous where the host can answer at once, like sendTask. */
  status(): Awaitable<HostStatus>
  effectiveConfig(): Promise<SwarmConfig>
  overlay(): Promise<OverlayEntry[]>
  /** forgets the recorded mutations; the running swarm keeps its shape until it starts again */
  clearOverlay(): Promise<number>
  restartAgent(agent: string): Promise<AgentStatus>
  /** the objects with their runtime state (docs/objects.md) */
  objects(): Promise<ObjectStatus[]>
  /** the `metrics` system object's counters and reports */
  metrics(): Promise<MetricsSnapshot>
  history(agent: string, limit: number): Promise<HistoryEntry[]>
  messages(limit: number): Promise<RoutingData[]>
  stop(opts?: StopOptions): Promise<void>
  restart(opts: RestartOptions): Promise<RestartOutcome>
}

/** What a server (or a daemon) can reach: its own swarms and the shared registry. */
export interface LocalReach {
  manager: SwarmManager
  registry: SwarmRegistry
}
