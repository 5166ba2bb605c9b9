import { randomBytes } from 'node:crypto'
import type { AgentInput, AskAnswer, Delivery, TurnUsage } from '../backends/index.js'
import { ask, askTimeout, type AskPorts } from './ask.js'
import { isSystemObject, type SwarmConfig } from '../config/types.js'
import { errors } from '../errors.js'
import type { EventSpine } from '../events/spine.js'
import type { EventInput } from '../events/types.js'
import { topics } from '../pubsub/index.js'
import { AgentRuntime, INBOX_LIMIT, MESSAGE_INBOX_LIMIT, type AgentHost, type InboxEntry, type TaskRef } from './agent.js'
import { serializeAgentSpec } from '../config/validate.js'
import type { Mutation } from './mutations.js'
import { SwarmObjects } from '../objects/objects.js'
import { SystemObjects } from '../objects/system/index.js'
import type { ObjectHost, ObjectModule } from '../objects/types.js'
import { parseOutput, type Directive } from './output-parser.js'
import { PauseGate, type PauseOutcome } from './pause.js'
import { agentSkills, givenSkills, SkillLibrary, type AgentSkill, type SkillText } from '../skills/agent-skills.js'
import { GroupSpread } from './groups.js'
import { Router, type BroadcastDecision, type RouteDecision } from './router.js'
import { settledInSlices } from './in-slices.js'
import { adjacencyOf } from '../config/topology.js'
import type { AgentState, AgentStatus, RoutingData, SwarmStatus } from './types.js'

const ORCHESTRATOR = 'orchestrator'

/** Told when a queued task's turn ends, or when its agent lets it go unfinished (a daemon marks its rows). */
export interface TaskListener {
  finished(taskId: number): void
  abandoned(taskId: number, reason: string): void
}
/**
 * Ids of tasks sent in process: a string, so they never collide with the
 * numeric ids of the database's task queue, unique across processes and restarts.
 */
const LOCAL_TASK_PREFIX = `t${randomBytes(4).toString('hex')}-`
let localTasks = 0
const localTaskId = () => `${LOCAL_TASK_PREFIX}${++localTasks}`

/** stderr lines kept per agent, for the error that reports its exit */
const STDERR_TAIL_LINES = 20

/** The line of a dying process's stderr that says why: the last one naming an error, else the last one. */
function stderrReason(lines: string[]): string {
  const meaningful = lines.map((l) => l.trim()).filter((l) => l !== '' && !/^at /.test(l))
  const reason = [...meaningful].reverse().find((l) => /error/i.test(l)) ?? meaningful.at(-1)
  return reason ? `: ${reason}` : ''
}

const preview = (text: string, n = 200) => (text.length > n ? `${text.slice(0, n)}…` : text)

/** What a swarm's objects need from where it runs (docs/objects.md). */
export interface SwarmObjectOptions {
  /** the directory handler modules must lie in */
  cwd?: string
  /** handler modules already loaded (and checked) by the caller, by object name */
  modules?: Map<string, ObjectModule>
  /** delivers `ctx.sendToSwarm`: a message into another swarm from its `gateway` */
  sendToSwarm?: (swarm: string, to: string, content: string) => Promise<void>
}

/**
 * One running swarm: its agents, objects and router. Every observable change
 * is emitted here, through the spine, exactly once.
 */
export class Swarm implements AgentHost, ObjectHost {
  readonly swarm: string
  readonly startedAt = new Date().toISOString()
  readonly configPath: string | null
  readonly router: Router
  readonly agents = new Map<string, AgentRuntime>()
  readonly objects: SwarmObjects
  /** metrics, tick and gateway */
  readonly system: SystemObjects
  readonly #sendToSwarm: SwarmObjectOptions['sendToSwarm']
  readonly #spine: EventSpine
  #config!: SwarmConfig
  /** the config's agent specs by name: a turn looks its agent up here, not by scanning the list */
  #specs = new Map<string, SwarmConfig['agents'][number]>()
  /**
   * What each agent's turns are given, rendered once: the texts change only
   * when the config, the library or the topology does, which is reconfigure.
   */
  readonly #givenSkills = new Map<string, SkillText[]>()
  readonly #stderrTails = new Map<string, string[]>()
  readonly #taskSpread = new GroupSpread()
  /** the task whose turn is producing output right now; routing it causes carries its id */
  #turn: TaskRef | null = null
  taskListener: TaskListener | null = null
  /** tokens of agents removed since the swarm started: they still count against the swarm's budget */
  readonly #retiredTokens = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }

  readonly #pause = new PauseGate()

  readonly library: SkillLibrary

  constructor(config: SwarmConfig, spine: EventSpine, configPath: string | null = null, objects: SwarmObjectOptions = {}, library = new SkillLibrary('skills')) {
    this.swarm = config.name
    this.library = library
    this.configPath = configPath
    this.#spine = spine
    this.#setConfig(config)
    this.#sendToSwarm = objects.sendToSwarm
    this.objects = new SwarmObjects(config.objects, objects.modules ?? new Map(), this, objects.cwd ?? process.cwd())
    this.router = new Router(this.swarm, config.topology, {
      has: (name) => this.agents.has(name) || this.objects.has(name),
      names: () => [...this.agents.keys(), ...this.objects.names()],
    })
    this.system = new SystemObjects(this.swarm, {
      isPaused: () => this.paused,
      tick: (content) => { if (this.router.targets('tick').length > 0) this.#send('tick', { kind: 'broadcast', content }) },
      emit: (event) => this.#emit(event),
    }, config.tick_ms)
  }

  /** Starts every agent; those that fail are left in `error` and named in the result. */
  async start(): Promise<{ failed: { agent: string; reason: string }[] }> {
    await this.library.load(this.#config.agents)
    this.#givenSkills.clear()
    // Agents come into being here, a slice at a time with their starts: 10,000 of them must not hold the event loop.
    const specs = this.#config.agents
    const results = await settledInSlices(specs, (spec) => {
      const agent = new AgentRuntime(spec, this.swarm, this)
      this.agents.set(spec.name, agent)
      return this.#startAgent(agent)
    })
    const failed = results.flatMap((r, i) =>
      r.status === 'rejected' ? [{ agent: specs[i]!.name, reason: String((r.reason as Error)?.message ?? r.reason) }] : [],
    )
    // After the agents, so what an object's init sends finds them running.
    await this.objects.start()
    this.system.start()
    const partial = failed.length > 0
    this.#emit({
      event_type: 'swarm_started',
      message: partial ? `swarm ${this.swarm} started; failed agents: ${failed.map((f) => f.agent).join(', ')}` : `swarm ${this.swarm} started`,
      ...(partial ? { level: 'warning' as const } : {}),
      metadata: { agents: [...this.agents.keys()], failed },
    })
    return { failed }
  }

  async #startAgent(agent: AgentRuntime): Promise<void> {
    try {
      await agent.start()
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      this.#emit({ event_type: 'agent_error', agent: agent.name, message: `agent ${agent.name} failed to start: ${reason}`, metadata: { reason } })
      throw errors.backendStartFailed(agent.name, reason)
    }
    this.#emit({ event_type: 'agent_started', agent: agent.name, message: `agent ${agent.name} started (${agent.backendKind})`, metadata: { backend: agent.backendKind, pid: agent.pid } })
  }

  async stop(): Promise<void> {
    this.system.stop()
    await this.objects.stop()
    await settledInSlices([...this.agents.values()], (a) => this.#stopAgent(a))
    this.#emit({ event_type: 'swarm_stopped', message: `swarm ${this.swarm} stopped` })
  }

  async #stopAgent(agent: AgentRuntime): Promise<void> {
    await agent.stop()
    this.#emit({ event_type: 'agent_stopped', agent: agent.name, message: `agent ${agent.name} stopped` })
  }

  async restartAgent(name: string): Promise<AgentStatus> {
    const agent = this.agent(name)
    await agent.stop()
    await this.#startAgent(agent)
    return this.agentStatus(name)
  }

  agent(name: string): AgentRuntime {
    const agent = this.agents.get(name)
    if (!agent) throw errors.agentNotFound(this.swarm, name)
    return agent
  }

  hasNode(name: string): boolean {
    return this.agents.has(name) || this.objects.has(name) || isSystemObject(name)
  }

  /**
   * Refused (inbox_full) when the agent has no room, so a task that is
   * accepted is one that will run. `task` is set for a task from the queue.
   */
  sendTask(addressed: string, content: string, queued: TaskRef | null = null): TaskRef {
    // A task for a scaled group's base name goes to its members in turn (lib/swarm/groups.ts).
    const agentName = this.#taskSpread.pick(addressed, (name) => this.agents.has(name))
    const agent = this.agent(agentName)
    if (agent.state === 'error' || agent.state === 'stopped') throw errors.agentUnavailable(agentName, agent.state)
    if (!agent.hasRoom('task')) throw errors.inboxFull(this.swarm, agentName, INBOX_LIMIT)
    const over = this.#overBudget(agent)
    if (over) {
      this.#budgetRefused(agent, over, ORCHESTRATOR, 'task', queued)
      throw errors.budgetExceeded(over.who, over.used, over.max)
    }
    // A task sent in process gets an id too, so every event of its turn names it (`genswarms task --wait`).
    const task = queued ?? { id: localTaskId(), redelivered: false }
    this.#emit(
      { event_type: 'task_sent', agent: agentName, message: `task sent to ${agentName}: ${preview(content)}`, metadata: { task: preview(content, 1000) } },
      task,
    )
    agent.enqueue({ type: 'task', content, from: ORCHESTRATOR }, task)
    return task
  }

  /** An external message between two nodes, checked against the topology like agent output. */
  routeMessage(from: string, to: string, content: string): RoutingData {
    if (!this.hasNode(from)) throw errors.agentNotFound(this.swarm, from)
    // Unlike an agent's own output, a request can be refused to its sender's face.
    const target = this.agents.get(to)
    if (target && this.router.allows(from, to) && !target.hasRoom('message')) throw errors.inboxFull(this.swarm, to, MESSAGE_INBOX_LIMIT)
    const over = target && this.router.allows(from, to) ? this.#overBudget(target) : null
    if (target && over) {
      this.#budgetRefused(target, over, from, 'message')
      throw errors.budgetExceeded(over.who, over.used, over.max)
    }
    const decision = this.router.route(from, to, content)
    this.#actOnRoute(from, content, decision)
    if (decision.kind === 'invalid_route') throw errors.invalidRoute(from, to, decision.allowed)
    return decision.data
  }

  get paused(): boolean {
    return this.#pause.paused
  }

  /** Pauses (true) or resumes (false) the swarm: one stored event when it changes, then the agents wake on resume. */
  setPaused(paused: boolean): PauseOutcome {
    const changed = this.#pause.set(paused)
    const status = paused ? 'paused' : 'running'
    if (changed) {
      this.#emit({ event_type: paused ? 'swarm_paused' : 'swarm_resumed', message: `swarm ${this.swarm} ${paused ? 'paused' : 'resumed'}`, metadata: { status } })
      if (!paused) for (const agent of this.agents.values()) agent.wake()
    }
    return { swarm: this.swarm, status, changed }
  }

  status(): SwarmStatus {
    const nodes = [...this.agents.keys(), ...this.objects.names()]
    return {
      name: this.swarm,
      status: this.#pause.paused ? 'paused' : 'running',
      source: 'in_process',
      pid: process.pid,
      started_at: this.startedAt,
      config_path: this.configPath,
      // Wildcard edges stay `*` here, so a mesh's status grows with its nodes, not its edges.
      agents: [...this.agents.keys()].map((name) => this.agentStatus(name, this.router.statedTargets(name))),
      objects: this.objects.status(),
      topology: this.router.topology(nodes),
      message_count: this.router.messageCount,
      tokens: this.#swarmTokens(),
      budget: this.#config.budget ?? null,
      pending_tasks: 0,
    }
  }

  agentStatus(name: string, targets?: string[]): AgentStatus {
    const agent = this.agent(name)
    // Skill texts set at runtime are served by the skills route, not repeated in every status.
    const { skill_overrides: _overrides, ...spec } = agent.spec
    return {
      name,
      state: agent.state,
      backend: agent.backendKind,
      model: agent.spec.model ?? ('model' in agent.spec.backend ? agent.spec.backend.model : null),
      skills: this.#specOf(agent).skills,
      inbox: agent.inboxSize,
      pid: agent.pid,
      targets: targets ?? this.router.targets(name),
      tokens: { ...agent.tokens },
      budget: agent.spec.budget ?? null,
      spec,
    }
  }

  /** An agent's skills as its next turn will see them (the library as last read, runtime overrides, placeholders filled). */
  agentSkills(name: string): AgentSkill[] {
    const agent = this.agent(name)
    return agentSkills(this.#specOf(agent), (key) => this.library.text(key), { agent: name, swarm: this.swarm, targets: this.router.targets(name) })
  }

  /** The agent's spec as the config has it now: a runtime skill change lives there, not in the runtime's spec. */
  #specOf(agent: AgentRuntime) {
    return this.#specs.get(agent.name) ?? agent.spec
  }

  #setConfig(config: SwarmConfig): void {
    this.#config = config
    this.#specs = new Map(config.agents.map((a) => [a.name, a]))
    this.#givenSkills.clear()
  }

  /** The effective configuration of the running swarm (seed + applied mutations). */
  config(): SwarmConfig {
    return this.#config
  }

  /**
   * Brings the running swarm to `next` (a validated config of this swarm):
   * removed agents stop, added agents start, edges follow. Agents that fail to
   * start stay in `error` and are named in `failed`.
   */
  async reconfigure(next: SwarmConfig, cause: Mutation): Promise<{ added: string[]; removed: string[]; failed: string[] }> {
    const wanted = new Map(next.agents.map((a) => [a.name, a]))
    const removed = [...this.agents.keys()].filter((name) => !wanted.has(name))
    const added = next.agents.filter((a) => !this.agents.has(a.name))
    const edgesBefore = this.router.edges()
    this.#setConfig(next)
    await this.library.load(next.agents)
    this.#givenSkills.clear()
    if (cause.op === 'set_skill') {
      // The text itself stays out of the event: only its name and size are observable here.
      this.#emit({ event_type: 'skill_updated', agent: cause.agent, message: `skill ${cause.skill} of ${cause.agent} set (${cause.content.length} characters); used from its next turn`, metadata: { skill: cause.skill, length: cause.content.length } })
    }

    for (const name of removed) {
      const agent = this.agents.get(name)!
      this.agents.delete(name)
      await agent.stop()
      for (const key of ['prompt_tokens', 'completion_tokens', 'total_tokens'] as const) this.#retiredTokens[key] += agent.tokens[key]
      this.#emit({ event_type: 'agent_removed', agent: name, message: `agent ${name} removed`, metadata: { op: cause.op } })
    }
    const nextEdges = adjacencyOf(next.topology)
    const dropped = edgesBefore.filter((e) => !nextEdges.get(e.from)?.has(e.to))
    const gained = next.topology.filter((n) => !this.router.hasEdge(n))
    for (const edge of dropped) this.router.removeEdge(edge)
    for (const edge of gained) this.router.addEdge(edge)
    // {{targets}} follows the edges; turns started during the awaits above may have cached the old ones.
    this.#givenSkills.clear()

    const failed: string[] = []
    for (const spec of added) {
      const agent = new AgentRuntime(spec, this.swarm, this)
      this.agents.set(spec.name, agent)
      this.#emit({ event_type: 'agent_added', agent: spec.name, message: `agent ${spec.name} added`, metadata: { op: cause.op, spec: serializeAgentSpec(spec) } })
      try {
        await this.#startAgent(agent)
      } catch {
        failed.push(spec.name)
      }
    }
    const objects = await this.objects.reconfigure(next.objects, cause.op)
    if (gained.length > 0 || dropped.length > 0) {
      this.#emit({
        event_type: 'topology_changed',
        message: `topology of ${this.swarm} changed (+${gained.length} −${dropped.length} edges)`,
        metadata: { op: cause.op, added: gained, removed: dropped },
      })
    }
    return { added: [...added.map((a) => a.name), ...objects.added], removed: [...removed, ...objects.removed], failed }
  }

  /** Every event of a task's turn (or of the routing it causes) carries the task's id. */
  #emit(input: Omit<EventInput, 'swarm'>, task: TaskRef | null = this.#turn): void {
    const metadata = task ? { ...input.metadata, task_id: task.id, redelivered: task.redelivered } : input.metadata
    this.system.observe(input)
    this.#spine.emit({ swarm: this.swarm, ...input, ...(metadata ? { metadata } : {}) })
  }

  /** Runs what an agent's turn causes (routing, deliveries) under that turn's task. */
  #during<T>(agent: AgentRuntime, fn: () => T): T {
    const outer = this.#turn
    this.#turn = agent.turn
    try {
      return fn()
    } finally {
      this.#turn = outer
    }
  }

  // ── AgentHost ─────────────────────────────────────────────────────────────

  skills(agent: AgentRuntime): SkillText[] {
    let given = this.#givenSkills.get(agent.name)
    if (!given) {
      given = givenSkills(this.agentSkills(agent.name))
      // Shared by every turn until the next change: no backend may edit it.
      Object.freeze(given)
      this.#givenSkills.set(agent.name, given)
    }
    return given
  }

  stateChanged(agent: AgentRuntime, state: AgentState, previous: AgentState): void {
    this.#emit({ event_type: 'agent_status', level: 'debug', agent: agent.name, message: `agent ${agent.name}: ${previous} → ${state}`, metadata: { state, previous } }, agent.turn)
  }

  delivered(agent: AgentRuntime, input: AgentInput): void {
    if (input.type !== 'message') return
    this.#emit({
      event_type: 'message_delivered',
      agent: agent.name,
      message: `message from ${input.from} delivered to ${agent.name}`,
      metadata: { from: input.from, content_preview: input.content.slice(0, 100) },
    }, agent.turn)
  }

  turnFinished(_agent: AgentRuntime, entry: InboxEntry): void {
    // A message a task's turn caused carries the task for tracing, but only the task's own turn completes it.
    if (entry.input.type === 'task' && typeof entry.task?.id === 'number') this.taskListener?.finished(entry.task.id)
  }

  abandoned(_agent: AgentRuntime, entries: InboxEntry[], reason: string): void {
    for (const entry of entries) {
      if (entry.input.type === 'task' && typeof entry.task?.id === 'number') this.taskListener?.abandoned(entry.task.id, reason)
    }
  }

  output(agent: AgentRuntime, content: string): void {
    this.#during(agent, () => {
      this.#emit({ event_type: 'agent_output', agent: agent.name, message: content })
      for (const directive of parseOutput(content)) this.#send(agent.name, directive)
    })
  }

  message(agent: AgentRuntime, directive: Directive): void {
    this.#during(agent, () => this.#send(agent.name, directive))
  }

  send(agent: AgentRuntime, directive: Directive): Delivery {
    return this.#during(agent, () => this.#send(agent.name, directive))
  }

  targets(agent: AgentRuntime): string[] {
    return this.router.targets(agent.name)
  }

  ask(agent: AgentRuntime, to: string, content: string): Promise<AskAnswer> {
    // The answer may come after other turns' routing: its events are put back under this turn's task.
    const task = agent.turn
    const under = <T>(fn: () => T): T => {
      const outer = this.#turn
      this.#turn = task
      try {
        return fn()
      } finally {
        this.#turn = outer
      }
    }
    const ports: AskPorts = {
      hasEdge: (from, target) => this.router.allows(from, target),
      isAgent: (name) => this.agents.has(name),
      isNode: (name) => this.hasNode(name),
      answers: (name) => this.objects.answers(name),
      askObject: (from, target, text, answer) => this.objects.ask(from, target, text, answer),
      routed: (from, target, text) => under(() => {
        const data = this.router.ask(from, target, text)
        this.#routed(data)
        return data
      }),
      refused: (eventType, from, target, error) => under(() => this.#emit({ event_type: eventType, agent: from, message: `ask from ${agent.name} to ${to} refused: ${error}`, metadata: { from, to: target, type: 'ask', allowed: this.router.targets(from) } })),
      timedOut: (from, target, ms) => under(() => this.#emit({ event_type: 'ask_timeout', level: 'warning', agent: from, message: `ask from ${from} to ${target} got no answer within ${ms} ms`, metadata: { from, to: target, timeout_ms: ms } })),
    }
    return ask(ports, agent.name, to, content, askTimeout(agent.spec.config))
  }

  skillDirs(): string[] {
    return this.library.dirs
  }

  delta(agent: AgentRuntime, turn: number, delta: string): void {
    this.#spine.publishLive(topics.output(this.swarm), 'agent_output_delta', { agent: agent.name, turn, delta })
  }

  usage(agent: AgentRuntime, usage: TurnUsage): void {
    const total = usage.prompt_tokens + usage.completion_tokens
    const limit = usage.tool_limit_reached ? '; stopped at max_tool_rounds with tool calls left' : ''
    this.#emit({
      event_type: 'agent_usage',
      ...(usage.tool_limit_reached ? { level: 'warning' as const } : {}),
      agent: agent.name,
      message: `${agent.name} used ${total} tokens (${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion) on ${usage.model} in ${usage.duration_ms} ms, ${usage.tool_rounds} tool rounds${limit}`,
      metadata: { ...usage, total_tokens: total, agent_total_tokens: agent.tokens.total_tokens },
    }, agent.turn)
  }

  // ── Budgets ─────────────────────────────────────────────────────────────

  #swarmTokens(): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
    const sum = { ...this.#retiredTokens }
    for (const agent of this.agents.values()) {
      for (const key of ['prompt_tokens', 'completion_tokens', 'total_tokens'] as const) sum[key] += agent.tokens[key]
    }
    return sum
  }

  /** The budget `agent` has spent, its own or its swarm's, if any. */
  #overBudget(agent: AgentRuntime): { scope: 'agent' | 'swarm'; who: string; used: number; max: number } | null {
    const own = agent.spec.budget
    if (own && agent.tokens.total_tokens >= own.max_tokens) return { scope: 'agent', who: `agent "${agent.name}"`, used: agent.tokens.total_tokens, max: own.max_tokens }
    const swarm = this.#config.budget
    const used = swarm ? this.#swarmTokens().total_tokens : 0
    if (swarm && used >= swarm.max_tokens) return { scope: 'swarm', who: `swarm "${this.swarm}"`, used, max: swarm.max_tokens }
    return null
  }

  #budgetRefused(agent: AgentRuntime, over: { scope: string; who: string; used: number; max: number }, from: string, kind: 'task' | 'message', task: TaskRef | null = this.#turn): void {
    this.#emit({
      event_type: 'budget_exceeded',
      level: 'warning',
      agent: agent.name,
      message: `${kind} from ${from} to ${agent.name} refused: ${over.who} has used ${over.used} of its ${over.max}-token budget`,
      metadata: { scope: over.scope, used: over.used, max_tokens: over.max, from, refused: kind },
    }, task)
  }

  stderr(agent: AgentRuntime, line: string): void {
    const tail = this.#stderrTails.get(agent.name) ?? []
    tail.push(line)
    if (tail.length > STDERR_TAIL_LINES) tail.shift()
    this.#stderrTails.set(agent.name, tail)
    this.#emit({ event_type: 'backend_stderr', level: 'debug', agent: agent.name, message: line }, agent.turn)
  }

  turnFailed(agent: AgentRuntime, message: string, metadata: Record<string, unknown>): void {
    this.#emit({ event_type: 'agent_error', agent: agent.name, message, metadata }, agent.turn)
  }

  warning(agent: AgentRuntime, eventType: string, message: string, metadata: Record<string, unknown>): void {
    this.#emit({ event_type: eventType, level: 'warning', agent: agent.name, message, metadata }, agent.turn)
  }

  crashed(agent: AgentRuntime, code: number | null, signal: string | null): void {
    const how = signal ? `signal ${signal}` : `code ${code}`
    // stderr lines are debug events; the reason a process died is not, so its last lines travel with the error.
    const stderr = this.#stderrTails.get(agent.name) ?? []
    this.#stderrTails.delete(agent.name)
    const why = stderrReason(stderr)
    this.#emit({ event_type: 'agent_error', agent: agent.name, message: `agent ${agent.name} exited unexpectedly (${how})${why}`, metadata: { code, signal, ...(stderr.length > 0 ? { stderr_tail: stderr } : {}) } })
  }

  // ── Acting on the router's decisions ────────────────────────────────────

  #send(from: string, directive: Directive): Delivery {
    if (directive.kind === 'direct') return this.#actOnRoute(from, directive.content, this.router.route(from, directive.to, directive.content))
    return this.#actOnBroadcast(from, directive.content, this.router.broadcast(from, directive.content))
  }

  #actOnRoute(from: string, content: string, decision: RouteDecision): Delivery {
    if (decision.kind === 'invalid_route') {
      const { to, allowed } = decision
      this.#emit({ event_type: 'invalid_route', agent: from, message: `message from ${from} to ${to} dropped: no such edge (allowed: ${allowed.join(', ') || 'none'})`, metadata: { from, to, allowed } })
      return { delivered: false, error: `no connection from ${from} to ${to}`, allowed_targets: allowed }
    }
    this.#routed(decision.data)
    const refused = this.#deliver(from, decision.to, content)
    return refused === null ? { delivered: true, to: [decision.to] } : { delivered: false, error: refused, allowed_targets: this.router.targets(from) }
  }

  #actOnBroadcast(from: string, content: string, { targets, data }: BroadcastDecision): Delivery {
    this.#routed(data)
    if (targets.length === 0) return { delivered: false, error: `${from} has no outgoing connections`, allowed_targets: [] }
    const delivered = targets.filter((to) => this.#deliver(from, to, content) === null)
    return delivered.length > 0 ? { delivered: true, to: delivered } : { delivered: false, error: 'no target took the message', allowed_targets: targets }
  }

  #routed(data: RoutingData): void {
    const event = data.type === 'broadcast' ? 'message_broadcast' : 'message_routed'
    const to = Array.isArray(data.to) ? data.to.join(', ') || '(no targets)' : data.to
    this.#emit({ event_type: event, agent: data.from, message: `${data.from} → ${to}: ${data.content_preview}`, metadata: { ...data } })
  }

  /** The topology let the message through; the target may still not exist. Null when taken, else why not. */
  #deliver(from: string, to: string, content: string): string | null {
    const agent = this.agents.get(to)
    if (agent) {
      const over = this.#overBudget(agent)
      if (over) {
        this.#budgetRefused(agent, over, from, 'message')
        return `${to} takes no input: ${over.who} has spent its token budget`
      }
      return this.#enqueueMessage(agent, { type: 'message', from, content }) ? null : `the inbox of ${to} is full`
    } else if (this.hasNode(to)) {
      // A refusal (object in error) is told by the object runtime; a system object without a module only records.
      if (this.objects.has(to) && this.objects.deliver(from, to, content) === 'refused') return `object ${to} is in error and takes no messages`
      this.#emit({ event_type: 'message_delivered', category: 'object', agent: to, message: `message from ${from} delivered to object ${to}`, metadata: { from, content_preview: content.slice(0, 100) } })
      // An object declared under a system name replaces the built-in one.
      if (!this.objects.has(to)) this.system.delivered(from, to, content)
      return null
    } else {
      this.#emit({ event_type: 'target_not_found', agent: from, message: `message from ${from} to ${to} dropped: no node named ${to}`, metadata: { from, to } })
      return `no node named ${to}`
    }
  }

  // ── ObjectHost ────────────────────────────────────────────────────────────

  objectReply(object: string, to: string, content: string): void {
    this.#actOnRoute(object, content, this.router.reply(object, to, content))
  }

  objectSend(object: string, to: string, content: string): void {
    this.#send(object, { kind: 'direct', to, content })
  }

  objectBroadcast(object: string, content: string): void {
    this.#send(object, { kind: 'broadcast', content })
  }

  objectEvent(event: Parameters<ObjectHost['objectEvent']>[0]): void {
    const { object, ...rest } = event
    this.#emit({ ...rest, category: 'object', agent: object })
  }

  sendToSwarm(swarm: string, to: string, content: string): Promise<void> {
    if (!this.#sendToSwarm) return Promise.reject(new Error('this process cannot reach other swarms'))
    return this.#sendToSwarm(swarm, to, content)
  }

  #enqueueMessage(agent: AgentRuntime, input: AgentInput): boolean {
    if (agent.enqueue(input, this.#turn)) return true
    this.#emit({
      event_type: 'message_dropped',
      level: 'error',
      agent: agent.name,
      message: `inbox of ${agent.name} holds ${MESSAGE_INBOX_LIMIT} messages; message from ${input.from} dropped`,
      metadata: { from: input.from, limit: MESSAGE_INBOX_LIMIT, content_preview: input.content.slice(0, 100) },
    })
    return false
  }
}
