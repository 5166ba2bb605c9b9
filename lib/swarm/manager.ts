import { resolve } from 'node:path'
import type { SwarmConfig } from '../config/types.js'
import { resolveAgentPaths } from '../config/agent-paths.js'
import { SkillLibrary, skillDirsFor } from '../skills/agent-skills.js'
import type { OverlayEntry, SwarmRegistry } from '../db/registry.js'
import { errors } from '../errors.js'
import type { EventSpine } from '../events/spine.js'
import type { MutationOutcome } from '../operations/types.js'
import { loadHandler, loadHandlers } from '../objects/loader.js'
import { applyMutation, replayOverlay, type Mutation } from './mutations.js'
import type { TaskRef } from './agent.js'
import { Swarm } from './swarm.js'
import type { AgentStatus, HistoryEntry, RoutingData, SwarmStatus, SwarmSummary, TokenTotals } from './types.js'

export interface SwarmManagerOptions {
  spine: EventSpine
  /** the shared registry: every swarm started here is recorded there, with its overlay */
  registry: SwarmRegistry
  /** pid recorded for swarms started here (a daemon records its own) */
  pid?: number
  logPath?: string | null
  /** the directory object handler modules must lie in (default: process.cwd()) */
  cwd?: string
  /** where agents' skill files are read from; default `<cwd>/skills` */
  skillsDir?: string
}

/**
 * The swarms running in this process, and nothing else: which process runs a
 * swarm that is not here is for lib/hosts (locate) to say.
 */
export class SwarmManager {
  readonly spine: EventSpine
  readonly registry: SwarmRegistry
  readonly #swarms = new Map<string, Swarm>()
  readonly #starting = new Set<string>()
  readonly #pid: number
  readonly #logPath: string | null
  readonly skillsDir: string
  /** mutations of one swarm run one after another */
  readonly #mutationQueues = new Map<string, Promise<unknown>>()
  readonly cwd: string
  /** how an object's ctx.sendToSwarm reaches another swarm; set by whoever can locate swarms (lib/engine.ts) */
  sendToSwarm: ((swarm: string, to: string, content: string) => Promise<void>) | undefined

  constructor(opts: SwarmManagerOptions) {
    this.spine = opts.spine
    this.registry = opts.registry
    this.#pid = opts.pid ?? process.pid
    this.#logPath = opts.logPath ?? null
    this.cwd = opts.cwd ?? process.cwd()
    this.skillsDir = resolve(opts.skillsDir ?? 'skills')
  }

  has(name: string): boolean {
    return this.#swarms.has(name)
  }

  async start(config: SwarmConfig, opts: { configPath?: string | null } = {}): Promise<SwarmStatus & { failed: { agent: string; reason: string }[] }> {
    const { name } = config
    if (this.#swarms.has(name) || this.#starting.has(name)) throw errors.swarmAlreadyRunning(name)
    const record = this.registry.get(name)
    if (record?.status === 'running' && record.pid !== this.#pid) throw errors.swarmAlreadyRunning(name)
    this.#starting.add(name)
    try {
      const { config: replayed, skipped } = replayOverlay(config, this.registry.overlay(name))
      const effective = resolveAgentPaths(replayed, opts.configPath ?? null)
      // A handler that may not or cannot load refuses the start, before anything runs.
      const modules = await loadHandlers(effective.objects, this.cwd)
      const swarm = new Swarm(effective, this.spine, opts.configPath ?? null, {
        cwd: this.cwd,
        modules,
        sendToSwarm: (other, to, content) => (this.sendToSwarm ? this.sendToSwarm(other, to, content) : Promise.reject(new Error('no route to other swarms here'))),
      }, new SkillLibrary(skillDirsFor(opts.configPath ?? null, this.skillsDir)))
      for (const s of skipped) {
        this.spine.emit({ swarm: name, event_type: 'overlay_entry_skipped', message: `overlay entry ${s.seq} no longer applies: ${s.reason}`, metadata: s })
      }
      const { failed } = await swarm.start()
      if (failed.length === swarm.agents.size && failed.length > 0) {
        await swarm.stop()
        throw errors.backendStartFailed(failed.map((f) => f.agent).join(', '), failed.map((f) => `${f.agent}: ${f.reason}`).join('; '))
      }
      this.#swarms.set(name, swarm)
      this.registry.register({ name, pid: this.#pid, configPath: opts.configPath ?? null, config: config as unknown as Record<string, unknown>, logPath: this.#logPath, agentCount: swarm.agents.size })
      return { ...swarm.status(), failed }
    } finally {
      this.#starting.delete(name)
    }
  }

  async stop(name: string): Promise<void> {
    const swarm = this.swarm(name)
    this.#swarms.delete(name)
    await swarm.stop()
    this.registry.markStopped(name, this.#pid)
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.#swarms.keys()].map((name) => this.stop(name)))
  }

  /** The running swarm of this process; swarmNotFound when it is not here (wherever else it may run). */
  swarm(name: string): Swarm {
    const swarm = this.#swarms.get(name)
    if (!swarm) throw errors.swarmNotFound(name)
    return swarm
  }

  status(name: string): SwarmStatus {
    return { ...this.swarm(name).status(), pending_tasks: this.registry.countPendingTasks(name) }
  }

  list(): SwarmSummary[] {
    return [...this.#swarms.values()]
      .map((s): SwarmSummary => ({ name: s.swarm, status: s.paused ? 'paused' : 'running', source: 'in_process', pid: this.#pid, agents: s.agents.size, started_at: s.startedAt }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Refused (inbox_full) when the agent has no room. `queued` is set for a task taken from the database queue. */
  sendTask(swarmName: string, agent: string, task: string, queued: TaskRef | null = null): TaskRef {
    return this.swarm(swarmName).sendTask(agent, task, queued)
  }

  /**
   * Applies a runtime mutation: validated against the running config first
   * (nothing changes when it is invalid), then recorded in the overlay and
   * applied to the swarm.
   */
  async mutate(swarmName: string, mutation: Mutation): Promise<MutationOutcome> {
    const swarm = this.swarm(swarmName)
    const previous = this.#mutationQueues.get(swarmName) ?? Promise.resolve()
    const run = previous.catch(() => {}).then(async () => {
      const { config, recorded } = applyMutation(swarm.config(), mutation)
      // Refused before it is recorded, so the overlay never holds a module that cannot load.
      const before = new Set(swarm.config().objects.map((o) => o.name))
      for (const added of config.objects) if (!before.has(added.name) && added.handler !== undefined) await loadHandler(added, this.cwd)
      const { op, ...payload } = recorded
      const entry = this.registry.appendOverlay(swarmName, op, payload as Record<string, unknown>)
      const result = await swarm.reconfigure(config, recorded)
      this.registry.setAgentCount(swarmName, swarm.agents.size)
      return { ...result, overlay_seq: entry.seq }
    })
    this.#mutationQueues.set(swarmName, run)
    try {
      return await run
    } finally {
      if (this.#mutationQueues.get(swarmName) === run) this.#mutationQueues.delete(swarmName)
    }
  }

  /** The recorded mutations of a swarm running here. */
  overlay(swarmName: string): OverlayEntry[] {
    this.swarm(swarmName)
    return this.registry.overlay(swarmName)
  }

  effectiveConfig(swarmName: string): SwarmConfig {
    return this.swarm(swarmName).config()
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
