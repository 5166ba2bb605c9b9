import type { SwarmConfig } from '../config/types.js'
import { validateConfig } from '../config/validate.js'
import type { OverlayEntry, SwarmRecord, SwarmRegistry } from '../db/registry.js'
import { runDaemonCommand } from '../daemon/control.js'
import { errors } from '../errors.js'
import type { EventSpine } from '../events/spine.js'
import { applyMutation, replayOverlay, type Mutation } from './mutations.js'
import { INBOX_LIMIT, type TaskRef } from './agent.js'
import { Swarm } from './swarm.js'
import type { AgentStatus, HistoryEntry, RoutingData, SwarmStatus, SwarmSummary, TokenTotals } from './types.js'

export interface SwarmManagerOptions {
  spine: EventSpine
  /** the shared registry: in-process swarms are recorded there, daemon swarms read from it */
  registry?: SwarmRegistry | null
  /** pid recorded for swarms started here (a daemon records its own) */
  pid?: number
  logPath?: string | null
}

/** A swarm known only from the registry (a daemon in another process). */
export interface RegistrySwarmStatus {
  name: string
  status: SwarmRecord['status']
  source: 'daemon'
  pid: number | null
  started_at: string | null
  stopped_at: string | null
  config_path: string | null
  log_path: string | null
  agents: { name: string; state: 'unknown'; backend: string; tokens: TokenTotals; budget: { max_tokens: number } | null }[]
  topology: { from: string; targets: string[] }[]
  /** queued tasks not yet answered: waiting for the daemon, or taken and not finished */
  pending_tasks: number
  /** summed from the agent_usage events the daemon stored since it started */
  tokens: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
  budget: { max_tokens: number } | null
}

export type SendTaskResult = { delivery: 'in_process' } | { delivery: 'queued'; task_id: number }

export interface MutationOutcome {
  added: string[]
  removed: string[]
  failed: string[]
  overlay_seq: number
}

/** How long a mutation of a daemon swarm waits for the daemon's answer. */
export const DAEMON_COMMAND_TIMEOUT_MS = 10_000

/** The swarms of this process, and the daemon swarms it can see through the registry. */
export class SwarmManager {
  readonly spine: EventSpine
  readonly registry: SwarmRegistry | null
  readonly #swarms = new Map<string, Swarm>()
  readonly #starting = new Set<string>()
  readonly #pid: number
  readonly #logPath: string | null
  /** mutations of one swarm run one after another */
  readonly #mutationQueues = new Map<string, Promise<unknown>>()

  constructor(opts: SwarmManagerOptions) {
    this.spine = opts.spine
    this.registry = opts.registry ?? null
    this.#pid = opts.pid ?? process.pid
    this.#logPath = opts.logPath ?? null
  }

  has(name: string): boolean {
    return this.#swarms.has(name)
  }

  /** In this process, or in the registry under any status. */
  exists(name: string): boolean {
    return this.#swarms.has(name) || (this.registry?.get(name) ?? null) !== null
  }

  async start(config: SwarmConfig, opts: { configPath?: string | null } = {}): Promise<SwarmStatus & { failed: { agent: string; reason: string }[] }> {
    const { name } = config
    if (this.#swarms.has(name) || this.#starting.has(name)) throw errors.swarmAlreadyRunning(name)
    const record = this.registry?.get(name)
    if (record?.status === 'running' && record.pid !== this.#pid) throw errors.swarmAlreadyRunning(name)
    this.#starting.add(name)
    try {
      const { config: effective, skipped } = replayOverlay(config, this.registry?.overlay(name) ?? [])
      const swarm = new Swarm(effective, this.spine, opts.configPath ?? null)
      for (const s of skipped) {
        this.spine.emit({ swarm: name, event_type: 'overlay_entry_skipped', message: `overlay entry ${s.seq} no longer applies: ${s.reason}`, metadata: s })
      }
      const { failed } = await swarm.start()
      if (failed.length === swarm.agents.size && failed.length > 0) {
        await swarm.stop()
        throw errors.backendStartFailed(failed.map((f) => f.agent).join(', '), failed.map((f) => `${f.agent}: ${f.reason}`).join('; '))
      }
      this.#swarms.set(name, swarm)
      this.registry?.register({ name, pid: this.#pid, configPath: opts.configPath ?? null, config: config as unknown as Record<string, unknown>, logPath: this.#logPath })
      return { ...swarm.status(), failed }
    } finally {
      this.#starting.delete(name)
    }
  }

  async stop(name: string): Promise<void> {
    const swarm = this.#swarms.get(name)
    if (!swarm) throw this.exists(name) ? errors.swarmNotRunning(name) : errors.swarmNotFound(name)
    this.#swarms.delete(name)
    await swarm.stop()
    this.registry?.markStopped(name, this.#pid)
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.#swarms.keys()].map((name) => this.stop(name)))
  }

  /** The running in-process swarm, or swarmNotFound / swarmNotRunning. */
  swarm(name: string): Swarm {
    const swarm = this.#swarms.get(name)
    if (swarm) return swarm
    throw this.registry?.get(name) ? errors.swarmNotRunning(name) : errors.swarmNotFound(name)
  }

  status(name: string): SwarmStatus | RegistrySwarmStatus {
    const swarm = this.#swarms.get(name)
    if (swarm) return { ...swarm.status(), pending_tasks: this.registry?.countPendingTasks(name) ?? 0 }
    const record = this.registry?.get(name)
    if (!record) throw errors.swarmNotFound(name)
    return registryStatus(record, this.#registryConfig(name), this.registry!.countPendingTasks(name), this.registry!.tokenTotals(name, record.started_at))
  }

  /** The effective config of a registry swarm, or null when its stored config is unusable. */
  #registryConfig(name: string): SwarmConfig | null {
    try {
      return this.effectiveConfig(name)
    } catch {
      return null
    }
  }

  /** In-process swarms first, then registry swarms not running here. */
  list(): SwarmSummary[] {
    const local: SwarmSummary[] = [...this.#swarms.values()].map((s) => ({
      name: s.swarm, status: 'running', source: 'in_process', pid: this.#pid, agents: s.agents.size, started_at: s.startedAt,
    }))
    const seen = new Set(local.map((s) => s.name))
    const remote: SwarmSummary[] = (this.registry?.list() ?? [])
      .filter((r) => !seen.has(r.name))
      .map((r) => ({ name: r.name, status: r.status, source: 'daemon', pid: r.pid, agents: this.#registryConfig(r.name)?.agents.length ?? 0, started_at: r.started_at }))
    return [...local, ...remote].sort((a, b) => a.name.localeCompare(b.name))
  }

  /**
   * Delivered in process, or queued in the database for the daemon that runs
   * the swarm. Either way refused (inbox_full) when the agent has no room:
   * for a daemon, its pending rows count against the same limit.
   */
  sendTask(swarmName: string, agent: string, task: string, queued: TaskRef | null = null): SendTaskResult {
    const swarm = this.#swarms.get(swarmName)
    if (swarm) {
      swarm.sendTask(agent, task, queued)
      return { delivery: 'in_process' }
    }
    const record = this.registry?.get(swarmName)
    if (!record) throw errors.swarmNotFound(swarmName)
    if (record.status !== 'running') throw errors.swarmNotRunning(swarmName)
    if (!this.#registryConfig(swarmName)?.agents.some((a) => a.name === agent)) throw errors.agentNotFound(swarmName, agent)
    const row = this.registry!.enqueueTask(swarmName, agent, task, { maxPending: INBOX_LIMIT })
    if (!row) throw errors.inboxFull(swarmName, agent, INBOX_LIMIT)
    return { delivery: 'queued', task_id: row.id }
  }

  /**
   * Applies a runtime mutation: validated against the effective config first
   * (nothing changes when it is invalid), then applied to the running swarm
   * and recorded in the overlay. A daemon swarm gets it through its command
   * queue and this waits, bounded, for the daemon's answer.
   */
  async mutate(swarmName: string, mutation: Mutation): Promise<MutationOutcome> {
    const swarm = this.#swarms.get(swarmName)
    if (!swarm) return this.#mutateDaemon(swarmName, mutation)
    const previous = this.#mutationQueues.get(swarmName) ?? Promise.resolve()
    const run = previous.catch(() => {}).then(async () => {
      const { config, recorded } = applyMutation(swarm.config(), mutation)
      const { op, ...payload } = recorded
      const entry = this.registry?.appendOverlay(swarmName, op, payload as Record<string, unknown>)
      const result = await swarm.reconfigure(config, recorded)
      return { ...result, overlay_seq: entry?.seq ?? 0 }
    })
    this.#mutationQueues.set(swarmName, run)
    try {
      return await run
    } finally {
      if (this.#mutationQueues.get(swarmName) === run) this.#mutationQueues.delete(swarmName)
    }
  }

  async #mutateDaemon(swarmName: string, mutation: Mutation): Promise<MutationOutcome> {
    const record = this.registry?.get(swarmName)
    if (!record) throw errors.swarmNotFound(swarmName)
    if (record.status !== 'running') throw errors.swarmNotRunning(swarmName)
    // Validate here too, so a bad request is refused without a round trip.
    applyMutation(this.effectiveConfig(swarmName), mutation)
    const result = await runDaemonCommand(this.registry!, swarmName, 'mutate', mutation as unknown as Record<string, unknown>, {
      timeoutMs: DAEMON_COMMAND_TIMEOUT_MS,
      what: `apply ${mutation.op}`,
    })
    return result as MutationOutcome
  }

  /** Seed config plus overlay: the running config in process, else rebuilt from the registry. */
  effectiveConfig(swarmName: string): SwarmConfig {
    const swarm = this.#swarms.get(swarmName)
    if (swarm) return swarm.config()
    const record = this.registry?.get(swarmName)
    if (!record) throw errors.swarmNotFound(swarmName)
    const seed = validateConfig(record.config)
    if (!seed.ok) throw errors.invalidInput(`stored config of swarm "${swarmName}" is no longer valid: ${seed.errors.join('; ')}`)
    return replayOverlay(seed.config, this.registry!.overlay(swarmName)).config
  }

  overlay(swarmName: string): OverlayEntry[] {
    if (!this.exists(swarmName)) throw errors.swarmNotFound(swarmName)
    return this.registry?.overlay(swarmName) ?? []
  }

  /** Forgets the recorded mutations; the running swarm keeps its shape until it starts again. */
  clearOverlay(swarmName: string): number {
    if (!this.exists(swarmName)) throw errors.swarmNotFound(swarmName)
    return this.registry?.clearOverlay(swarmName) ?? 0
  }

  routeMessage(swarm: string, from: string, to: string, content: string): RoutingData {
    return this.swarm(swarm).routeMessage(from, to, content)
  }

  /** Routes a message in process, or through the command queue of the daemon that runs the swarm. */
  async sendMessage(swarmName: string, from: string, to: string, content: string): Promise<{ status: 'routed'; from: string; to: string; swarm: string }> {
    if (this.#swarms.has(swarmName)) {
      this.routeMessage(swarmName, from, to, content)
    } else {
      const record = this.registry?.get(swarmName)
      if (!record) throw errors.swarmNotFound(swarmName)
      if (record.status !== 'running') throw errors.swarmNotRunning(swarmName)
      await runDaemonCommand(this.registry!, swarmName, 'message', { from, to, content }, { timeoutMs: DAEMON_COMMAND_TIMEOUT_MS, what: 'route the message' })
    }
    return { status: 'routed', from, to, swarm: swarmName }
  }

  agentStatus(swarm: string, agent: string): AgentStatus {
    return this.swarm(swarm).agentStatus(agent)
  }

  restartAgent(swarm: string, agent: string): Promise<AgentStatus> {
    return this.swarm(swarm).restartAgent(agent)
  }

  history(swarm: string, agent: string, limit = 100): HistoryEntry[] {
    return this.swarm(swarm).agent(agent).history(limit)
  }

  messages(swarm: string, limit = 100): RoutingData[] {
    return this.swarm(swarm).router.messages(limit)
  }
}

function registryStatus(record: SwarmRecord, config: SwarmConfig | null, pendingTasks: number, tokens: Map<string, TokenTotals>): RegistrySwarmStatus {
  const agents = config?.agents ?? []
  const none: TokenTotals = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, turns: 0 }
  const sum = (key: 'prompt_tokens' | 'completion_tokens' | 'total_tokens') => [...tokens.values()].reduce((n, t) => n + t[key], 0)
  return {
    name: record.name,
    status: record.status,
    source: 'daemon',
    pid: record.pid,
    started_at: record.started_at,
    stopped_at: record.stopped_at,
    config_path: record.config_path,
    log_path: record.log_path,
    agents: agents.map((a) => ({ name: a.name, state: 'unknown', backend: a.backend.type, tokens: tokens.get(a.name) ?? none, budget: a.budget ?? null })),
    topology: agents.map((a) => ({ from: a.name, targets: (config?.topology ?? []).filter((e) => e.from === a.name).map((e) => e.to) })),
    pending_tasks: pendingTasks,
    tokens: { prompt_tokens: sum('prompt_tokens'), completion_tokens: sum('completion_tokens'), total_tokens: sum('total_tokens') },
    budget: config?.budget ?? null,
  }
}
