import type { SwarmConfig } from '../config/types.js'
import type { SwarmRecord, SwarmRegistry } from '../db/registry.js'
import { errors } from '../errors.js'
import type { EventSpine } from '../events/spine.js'
import { Swarm } from './swarm.js'
import type { AgentStatus, HistoryEntry, RoutingData, SwarmStatus, SwarmSummary } from './types.js'

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
  agents: { name: string; state: 'unknown'; backend: string }[]
  topology: { from: string; targets: string[] }[]
}

export type SendTaskResult = { delivery: 'in_process' } | { delivery: 'queued'; task_id: number }

/** The swarms of this process, and the daemon swarms it can see through the registry. */
export class SwarmManager {
  readonly spine: EventSpine
  readonly registry: SwarmRegistry | null
  readonly #swarms = new Map<string, Swarm>()
  readonly #starting = new Set<string>()
  readonly #pid: number
  readonly #logPath: string | null

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
      const swarm = new Swarm(config, this.spine, opts.configPath ?? null)
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
    if (swarm) return swarm.status()
    const record = this.registry?.get(name)
    if (!record) throw errors.swarmNotFound(name)
    return registryStatus(record)
  }

  /** In-process swarms first, then registry swarms not running here. */
  list(): SwarmSummary[] {
    const local: SwarmSummary[] = [...this.#swarms.values()].map((s) => ({
      name: s.swarm, status: 'running', source: 'in_process', pid: this.#pid, agents: s.agents.size, started_at: s.startedAt,
    }))
    const seen = new Set(local.map((s) => s.name))
    const remote: SwarmSummary[] = (this.registry?.list() ?? [])
      .filter((r) => !seen.has(r.name))
      .map((r) => ({ name: r.name, status: r.status, source: 'daemon', pid: r.pid, agents: configAgents(r).length, started_at: r.started_at }))
    return [...local, ...remote].sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Delivered in process, or queued in the database for the daemon that runs the swarm. */
  sendTask(swarmName: string, agent: string, task: string): SendTaskResult {
    const swarm = this.#swarms.get(swarmName)
    if (swarm) {
      swarm.sendTask(agent, task)
      return { delivery: 'in_process' }
    }
    const record = this.registry?.get(swarmName)
    if (!record) throw errors.swarmNotFound(swarmName)
    if (record.status !== 'running') throw errors.swarmNotRunning(swarmName)
    if (!configAgents(record).some((a) => a.name === agent)) throw errors.agentNotFound(swarmName, agent)
    const queued = this.registry!.enqueueTask(swarmName, agent, task)
    return { delivery: 'queued', task_id: queued.id }
  }

  routeMessage(swarm: string, from: string, to: string, content: string): RoutingData {
    return this.swarm(swarm).routeMessage(from, to, content)
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

function configAgents(record: SwarmRecord): { name: string; backend?: { type?: string } }[] {
  const agents = (record.config as { agents?: unknown } | null)?.agents
  return Array.isArray(agents) ? (agents as { name: string; backend?: { type?: string } }[]) : []
}

function registryStatus(record: SwarmRecord): RegistrySwarmStatus {
  const config = record.config as { topology?: { from: string; to: string }[] } | null
  const agents = configAgents(record)
  const topology = agents.map((a) => ({
    from: a.name,
    targets: (config?.topology ?? []).filter((e) => e.from === a.name).map((e) => e.to),
  }))
  return {
    name: record.name,
    status: record.status,
    source: 'daemon',
    pid: record.pid,
    started_at: record.started_at,
    stopped_at: record.stopped_at,
    config_path: record.config_path,
    log_path: record.log_path,
    agents: agents.map((a) => ({ name: a.name, state: 'unknown', backend: a.backend?.type ?? 'unknown' })),
    topology,
  }
}
