import { restartConfig } from '../config/source.js'
import type { SwarmConfig } from '../config/types.js'
import { runDaemonCommand, stopDaemon } from '../daemon/control.js'
import { launchDaemon, relaunchConfigPath } from '../daemon/launch.js'
import { isPidAlive, type OverlayEntry, type SwarmRecord } from '../db/registry.js'
import { errors } from '../errors.js'
import { compile } from '../operations/check.js'
import { mutation as mutationSchema } from '../operations/schemas.js'
import type { ObjectStatus } from '../objects/types.js'
import type { MetricsSnapshot } from '../objects/system/metrics.js'
import type { MessageInput, MutationInput, MutationOutcome, RoutedResult, SendTaskInput, SendTaskResult } from '../operations/types.js'
import { INBOX_LIMIT } from '../swarm/agent.js'
import { applyMutation } from '../swarm/mutations.js'
import type { PauseOutcome } from '../swarm/pause.js'
import { agentSkills, SkillLibrary, skillDirsFor, type AgentSkill } from '../skills/agent-skills.js'
import { pausedByEvents } from './pause-state.js'
import type { AgentStatus, HistoryEntry, RoutingData } from '../swarm/types.js'
import { registryStatus, storedConfig, storedConfigOrNull, type RegistrySwarmStatus } from './registry-view.js'
import { purge, startHereAfter } from './restart.js'
import type { DaemonLaunch, LocalReach, RestartOptions, RestartOutcome, StopOptions, SwarmHost } from './types.js'

/** How long an operation on a daemon swarm waits for the daemon's answer. */
export const DAEMON_COMMAND_TIMEOUT_MS = 10_000

const checkMutation = compile<MutationInput>(mutationSchema)

/**
 * A swarm known from its registry row: run by another process, a daemon or
 * a server, which reads the queues of the swarms it runs (or stopped, or
 * crashed). Tasks go into the database's task queue, messages and
 * mutations into its command queue, and a stop is a SIGTERM to its pid.
 * What needs the swarm's memory (history, message log, one agent's restart)
 * is refused with swarmInDaemon.
 */
export class DaemonHost implements SwarmHost {
  readonly kind = 'daemon'
  readonly name: string
  readonly #reach: LocalReach
  readonly #record: SwarmRecord

  constructor(record: SwarmRecord, reach: LocalReach) {
    this.name = record.name
    this.#record = record
    this.#reach = reach
  }

  get running(): boolean {
    return this.#record.status === 'running'
  }

  get pid(): number | null {
    return this.#record.pid
  }

  #requireRunning(): void {
    if (!this.running) throw errors.swarmNotRunning(this.name)
  }

  #inMemoryOnly(what: string): never {
    if (this.running) throw errors.swarmInDaemon(this.name, this.#record.pid, what)
    throw errors.swarmNotRunning(this.name)
  }

  /** Queued for the daemon; its pending rows count against the agent's inbox limit. */
  sendTask(input: SendTaskInput): SendTaskResult {
    this.#requireRunning()
    const { registry } = this.#reach
    if (!storedConfigOrNull(registry, this.#record)?.agents.some((a) => a.name === input.agent)) throw errors.agentNotFound(this.name, input.agent)
    const row = registry.enqueueTask(this.name, input.agent, input.task, { maxPending: INBOX_LIMIT })
    if (!row) throw errors.inboxFull(this.name, input.agent, INBOX_LIMIT)
    return { delivery: 'queued', task_id: row.id }
  }

  sendMessage(input: MessageInput): Promise<RoutedResult> {
    this.#requireRunning()
    return runDaemonCommand(this.#reach.registry, this.name, 'message', input, { timeoutMs: DAEMON_COMMAND_TIMEOUT_MS, what: 'route the message' })
  }

  async mutate(mutation: MutationInput): Promise<MutationOutcome> {
    this.#requireRunning()
    // Validated here too, so a bad request is refused without a round trip.
    applyMutation(await this.effectiveConfig(), mutation)
    // Checked in its wire form: what the daemon will read back from the row.
    const wire: unknown = JSON.parse(JSON.stringify(mutation))
    const checked = checkMutation(wire)
    if (!checked.ok) throw errors.invalidInput(`${checked.refusal.field ?? 'mutation'} ${checked.refusal.message}`)
    return runDaemonCommand(this.#reach.registry, this.name, 'mutate', checked.value, { timeoutMs: DAEMON_COMMAND_TIMEOUT_MS, what: `apply ${mutation.op}` })
  }

  objects(): Promise<ObjectStatus[]> {
    this.#requireRunning()
    return runDaemonCommand(this.#reach.registry, this.name, 'objects', {}, { timeoutMs: DAEMON_COMMAND_TIMEOUT_MS, what: 'list its objects' })
  }

  metrics(): Promise<MetricsSnapshot> {
    this.#requireRunning()
    return runDaemonCommand(this.#reach.registry, this.name, 'metrics', {}, { timeoutMs: DAEMON_COMMAND_TIMEOUT_MS, what: 'read its metrics' })
  }

  /**
   * Rebuilt here from the stored config and overlay, with the library read
   * now: what the daemon's agent gets on its next turn, as long as the daemon
   * reads the same skills directory (both default to `<cwd>/skills`).
   */
  async agentSkills(agent: string): Promise<AgentSkill[]> {
    const config = await this.effectiveConfig()
    const spec = config.agents.find((a) => a.name === agent)
    if (!spec) throw errors.agentNotFound(this.name, agent)
    const library = new SkillLibrary(skillDirsFor(this.#record.config_path, this.#reach.manager.skillsDir))
    await library.load([spec])
    const targets = config.topology.filter((e) => e.from === agent).map((e) => e.to)
    return agentSkills(spec, (key) => library.text(key), { agent, swarm: this.name, targets })
  }

  pause(): Promise<PauseOutcome> {
    this.#requireRunning()
    return runDaemonCommand(this.#reach.registry, this.name, 'pause', {}, { timeoutMs: DAEMON_COMMAND_TIMEOUT_MS, what: 'pause the swarm' })
  }

  resume(): Promise<PauseOutcome> {
    this.#requireRunning()
    return runDaemonCommand(this.#reach.registry, this.name, 'resume', {}, { timeoutMs: DAEMON_COMMAND_TIMEOUT_MS, what: 'resume the swarm' })
  }

  status(): RegistrySwarmStatus {
    const status = registryStatus(this.#reach.registry, this.#record)
    // The row knows only running; the daemon's own stored events say whether it is paused.
    if (status.status === 'running' && pausedByEvents(this.#reach.manager.spine.store, this.name)) return { ...status, status: 'paused' }
    return status
  }

  async effectiveConfig(): Promise<SwarmConfig> {
    return storedConfig(this.#reach.registry, this.#record)
  }

  async overlay(): Promise<OverlayEntry[]> {
    return this.#reach.registry.overlay(this.name)
  }

  async clearOverlay(): Promise<number> {
    return this.#reach.registry.clearOverlay(this.name)
  }

  async restartAgent(): Promise<AgentStatus> {
    return this.#inMemoryOnly('restarting an agent')
  }

  async history(): Promise<HistoryEntry[]> {
    return this.#inMemoryOnly('agent history')
  }

  async messages(): Promise<RoutingData[]> {
    return this.#inMemoryOnly('the message log')
  }

  /**
   * The one way a daemon swarm stops: SIGTERM, then wait until its row no
   * longer reads running (and, if asked, until its process is gone).
   */
  async stop(opts: StopOptions = {}): Promise<void> {
    this.#requireRunning()
    const pid = this.#record.pid
    opts.onProgress?.(`stopping swarm ${this.name}${pid ? ` (pid ${pid})` : ''}…`)
    await stopDaemon(this.#reach.registry, this.name, opts)
    if (opts.waitForExit && pid !== null && pid !== process.pid) await waitForExit(this.name, pid, opts.timeoutMs ?? 5000)
  }

  /**
   * As a daemon again when it ran as one (or `alwaysDaemon`) and the caller
   * can launch one; otherwise in this process. The config is read before
   * anything stops.
   */
  async restart(opts: RestartOptions): Promise<RestartOutcome> {
    const stopIfRunning = () => (this.running ? this.stop(opts) : Promise.resolve())
    if (opts.daemon && (opts.alwaysDaemon || this.#ranAsDaemon())) return this.#relaunch(opts, opts.daemon, stopIfRunning)
    const source = await restartConfig(this.#record)
    if (!source) throw errors.noStoredConfig(this.name)
    return startHereAfter(this.#reach, this.name, source, stopIfRunning, opts.clean === true)
  }

  /** A daemon records the log file its output goes to; a swarm run inside a server records none. */
  #ranAsDaemon(): boolean {
    return this.#record.pid !== process.pid && this.#record.log_path !== null
  }

  async #relaunch(opts: RestartOptions, daemon: DaemonLaunch, stop: () => Promise<void>): Promise<RestartOutcome> {
    const configPath = await relaunchConfigPath(this.#record, daemon.dbPath)
    await stop()
    if (opts.clean) await purge(this.#reach, this.name)
    opts.onProgress?.(`starting swarm ${this.name}…`)
    const launched = await launchDaemon({
      entry: daemon.entry,
      configPath,
      swarm: this.name,
      dbPath: daemon.dbPath,
      cwd: opts.cwd,
      env: daemon.env ?? process.env,
      registry: this.#reach.registry,
      onSpawn: (pid) => opts.onProgress?.(`starting swarm ${this.name} (pid ${pid})…`),
    })
    const record = this.#reach.registry.get(this.name)
    const agents = record ? storedConfig(this.#reach.registry, record).agents.map((a) => a.name) : []
    return { host: 'daemon', agents, failed: [], pid: launched.pid, log_path: launched.logPath, config_path: configPath }
  }
}

async function waitForExit(name: string, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (isPidAlive(pid)) {
    if (Date.now() >= deadline) throw errors.timeout(`daemon of swarm "${name}" (pid ${pid}) to exit`)
    // Nothing announces a process's exit to another process: a pid check is cheap enough to run often.
    await new Promise((r) => setTimeout(r, 10))
  }
}
