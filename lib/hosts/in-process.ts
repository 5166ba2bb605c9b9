import type { SwarmConfig } from '../config/types.js'
import { restartConfig } from '../config/source.js'
import type { OverlayEntry } from '../db/registry.js'
import type { ObjectStatus } from '../objects/types.js'
import type { MetricsSnapshot } from '../objects/system/metrics.js'
import type { MessageInput, MutationInput, MutationOutcome, RoutedResult, SendTaskInput, SendTaskResult } from '../operations/types.js'
import type { PauseOutcome } from '../swarm/pause.js'
import type { AgentSkill } from '../skills/agent-skills.js'
import type { TaskListener } from '../swarm/swarm.js'
import type { AgentStatus, HistoryEntry, RoutingData, SwarmStatus } from '../swarm/types.js'
import { startHereAfter } from './restart.js'
import type { LocalReach, RestartOptions, RestartOutcome, SwarmHost } from './types.js'

/** A swarm in this process's manager: every operation is a direct call. */
export class InProcessHost implements SwarmHost {
  readonly kind = 'in_process'
  readonly running = true
  readonly name: string
  readonly #reach: LocalReach

  constructor(name: string, reach: LocalReach) {
    this.name = name
    this.#reach = reach
  }

  /** Starts `config` in this process (its overlay replayed) and returns its host, with the agents that failed to start. */
  static async start(
    reach: LocalReach,
    config: SwarmConfig,
    opts: { configPath?: string | null } = {},
  ): Promise<{ host: InProcessHost; failed: { agent: string; reason: string }[] }> {
    const { failed } = await reach.manager.start(config, opts)
    return { host: new InProcessHost(config.name, reach), failed }
  }

  get #manager() {
    return this.#reach.manager
  }

  sendTask(input: SendTaskInput): SendTaskResult {
    return this.deliver(input.agent, input.task, null)
  }

  /**
   * Synchronous, for the daemon's queue loop, which marks a row taken only
   * once the swarm accepted it. `queued` names the row a task came from.
   */
  deliver(agent: string, task: string, queued: { id: number; redelivered: boolean } | null): SendTaskResult {
    const ref = this.#manager.swarm(this.name).sendTask(agent, task, queued)
    return { delivery: 'in_process', task_id: ref.id }
  }

  /** Whether the agent can take one more task now; an agent that cannot take any input says so when a task is delivered. */
  acceptsTask(agent: string): boolean {
    const swarm = this.#manager.swarm(this.name)
    // A paused swarm takes nothing from the database queue: the rows stay pending, in order.
    if (swarm.paused) return false
    const runtime = swarm.agents.get(agent)
    return !runtime || runtime.state === 'error' || runtime.state === 'stopped' || runtime.hasRoom('task')
  }

  /** Told when a queued task's turn has finished or was abandoned. */
  listen(listener: TaskListener): void {
    this.#manager.swarm(this.name).taskListener = listener
  }

  async sendMessage(input: MessageInput): Promise<RoutedResult> {
    this.#manager.routeMessage(this.name, input.from, input.to, input.content)
    return { status: 'routed', from: input.from, to: input.to, swarm: this.name }
  }

  mutate(mutation: MutationInput): Promise<MutationOutcome> {
    return this.#manager.mutate(this.name, mutation)
  }

  async agentSkills(agent: string): Promise<AgentSkill[]> {
    return this.#manager.swarm(this.name).agentSkills(agent)
  }

  async pause(): Promise<PauseOutcome> {
    return this.#manager.swarm(this.name).setPaused(true)
  }

  async resume(): Promise<PauseOutcome> {
    return this.#manager.swarm(this.name).setPaused(false)
  }

  status(): SwarmStatus {
    return this.#manager.status(this.name)
  }

  async effectiveConfig(): Promise<SwarmConfig> {
    return this.#manager.effectiveConfig(this.name)
  }

  async overlay(): Promise<OverlayEntry[]> {
    return this.#reach.registry.overlay(this.name)
  }

  async clearOverlay(): Promise<number> {
    return this.#reach.registry.clearOverlay(this.name)
  }

  restartAgent(agent: string): Promise<AgentStatus> {
    return this.#manager.restartAgent(this.name, agent)
  }

  async objects(): Promise<ObjectStatus[]> {
    return this.#manager.swarm(this.name).objects.status()
  }

  async metrics(): Promise<MetricsSnapshot> {
    return this.#manager.swarm(this.name).system.metrics.snapshot()
  }

  async history(agent: string, limit: number): Promise<HistoryEntry[]> {
    return this.#manager.history(this.name, agent, limit)
  }

  async messages(limit: number): Promise<RoutingData[]> {
    return this.#manager.messages(this.name, limit)
  }

  /** The one way an in-process swarm stops: its agents stop and its row is marked stopped. */
  stop(): Promise<void> {
    return this.#manager.stop(this.name)
  }

  /** Again in this process, from its config file as it is now, else the config it runs with. */
  async restart(opts: RestartOptions): Promise<RestartOutcome> {
    const record = this.#reach.registry.get(this.name)
    const swarm = this.#manager.swarm(this.name)
    const source = (record ? await restartConfig(record) : null) ?? { config: swarm.config(), configPath: swarm.configPath }
    return startHereAfter(this.#reach, this.name, source, () => this.stop(), opts.clean === true)
  }
}
