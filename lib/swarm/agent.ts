import { createBackend, type AgentBackend, type AgentContext, type AgentInput, type AskAnswer, type BackendOutput, type Delivery, type TurnUsage } from '../backends/index.js'
import type { AgentSpec } from '../config/types.js'
import type { SkillText } from '../skills/agent-skills.js'
import type { Directive } from './output-parser.js'
import type { AgentState, HistoryEntry, TokenTotals } from './types.js'

export const HISTORY_SIZE = 200
/** Tasks waiting in one agent's inbox; a task past it is refused to its sender, never dropped. */
export const INBOX_LIMIT = 1000
/**
 * Agent-to-agent messages waiting in one agent's inbox. They cannot be refused
 * to the sending agent, so they get their own, larger bound; past it a message
 * is dropped with an error-level `message_dropped` event.
 */
export const MESSAGE_INBOX_LIMIT = 10_000

type Remembered = Omit<HistoryEntry, 'timestamp'> & { at: number }

/** The queued task an input belongs to: the task itself, or a message one of its turns sent. */
export interface TaskRef {
  /** a row of the task queue (number), or a task sent in process (string, see localTaskId) */
  id: number | string
  redelivered: boolean
}

/** An input waiting in (or taken from) an inbox, with the task it belongs to, if any. */
export interface InboxEntry {
  input: AgentInput
  task: TaskRef | null
}

/** What an agent tells its swarm; the swarm turns these into events and routing. */
export interface AgentHost {
  stateChanged(agent: AgentRuntime, state: AgentState, previous: AgentState): void
  delivered(agent: AgentRuntime, input: AgentInput): void
  /** the agent went back to idle after working on `entry` */
  turnFinished(agent: AgentRuntime, entry: InboxEntry): void
  /** inputs taken but never finished: the agent stopped or exited */
  abandoned(agent: AgentRuntime, entries: InboxEntry[], reason: string): void
  output(agent: AgentRuntime, content: string): void
  /** a `send` or `broadcast` line: the same message its output text could have asked for */
  message(agent: AgentRuntime, directive: Directive): void
  /** the same, for a backend that needs the outcome (an LLM's tool call) */
  send(agent: AgentRuntime, directive: Directive): Delivery
  targets(agent: AgentRuntime): string[]
  /** asks an object and waits for its reply while the turn runs (lib/swarm/ask.ts) */
  ask(agent: AgentRuntime, to: string, content: string): Promise<AskAnswer>
  /** directories searched for skill files, in order */
  skillDirs(): string[]
  delta(agent: AgentRuntime, turn: number, delta: string): void
  usage(agent: AgentRuntime, usage: TurnUsage): void
  stderr(agent: AgentRuntime, line: string): void
  crashed(agent: AgentRuntime, code: number | null, signal: string | null): void
  /** one turn failed but the backend takes the next input (the turn still ends with `status idle`) */
  turnFailed(agent: AgentRuntime, message: string, metadata: Record<string, unknown>): void
  warning(agent: AgentRuntime, eventType: string, message: string, metadata: Record<string, unknown>): void
  /** while true, inputs wait in the inbox; a turn in progress still finishes */
  readonly paused: boolean
  /** the agent's skills as its next turn is given them */
  skills(agent: AgentRuntime): SkillText[]
}

/**
 * One agent: its backend, state (`initializing → idle ⇄ working`, `error`,
 * `stopped`), inbox and bounded history. Input that arrives while the agent
 * works waits in the inbox and is delivered in order when it is idle again.
 */
export class AgentRuntime {
  readonly spec: AgentSpec
  readonly #host: AgentHost
  readonly #backend: AgentBackend
  #state: AgentState = 'initializing'
  readonly #inbox: InboxEntry[] = []
  #waitingTasks = 0
  #current: InboxEntry | null = null
  /**
   * The last HISTORY_SIZE entries in a ring, `#historyNext` the slot the next
   * one takes; the time is kept as a number and written out only when read.
   */
  readonly #history: Remembered[] = []
  #historyNext = 0
  /** what the agent's turns have cost since the swarm started (kept across restarts of the agent) */
  readonly tokens: TokenTotals = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, turns: 0 }

  constructor(spec: AgentSpec, swarm: string, host: AgentHost) {
    this.spec = spec
    this.#host = host
    const ctx: AgentContext = {
      targets: () => host.targets(this),
      send: (directive) => host.send(this, directive),
      ask: (to, content) => host.ask(this, to, content),
      skillDirs: host.skillDirs(),
    }
    this.#backend = createBackend(spec, swarm, ctx)
    this.#backend.onOutput((output) => this.#onOutput(output))
  }

  get name(): string {
    return this.spec.name
  }

  get state(): AgentState {
    return this.#state
  }

  get inboxSize(): number {
    return this.#inbox.length
  }

  /** The task of the turn in progress (or of the message that started it). */
  get turn(): TaskRef | null {
    return this.#current?.task ?? null
  }

  /** Whether one more input of this kind fits in the inbox. */
  hasRoom(kind: AgentInput['type']): boolean {
    return kind === 'task' ? this.#waitingTasks < INBOX_LIMIT : this.#inbox.length - this.#waitingTasks < MESSAGE_INBOX_LIMIT
  }

  get pid(): number | null {
    return this.#backend.health().pid ?? null
  }

  get backendKind(): string {
    return this.#backend.kind
  }

  /** Resolves when the backend runs; rejects (agent in `error`) when it cannot start. */
  async start(): Promise<void> {
    this.#setState('initializing')
    try {
      await this.#backend.start()
    } catch (err) {
      this.#setState('error')
      throw err
    }
    this.#setState('idle')
    this.#drain()
  }

  async stop(): Promise<void> {
    const abandoned = this.#takeAll()
    await this.#backend.stop()
    this.#setState('stopped')
    if (abandoned.length > 0) this.#host.abandoned(this, abandoned, `agent ${this.name} stopped`)
  }

  /** Queues input; false when the inbox has no room for its kind (the input is not taken). */
  enqueue(input: AgentInput, task: TaskRef | null = null): boolean {
    if (!this.hasRoom(input.type)) return false
    this.#inbox.push({ input, task })
    if (input.type === 'task') this.#waitingTasks++
    this.#drain()
    return true
  }

  history(limit = 100): HistoryEntry[] {
    const ring = this.#history
    const ordered = ring.length < HISTORY_SIZE ? ring : [...ring.slice(this.#historyNext), ...ring.slice(0, this.#historyNext)]
    const n = Math.max(0, limit)
    return (n === 0 ? [] : ordered.slice(-n)).map(({ at, ...entry }) => ({ timestamp: new Date(at).toISOString(), ...entry }))
  }

  /** Starts the next waiting input if the agent is idle: called when its swarm resumes. */
  wake(): void {
    this.#drain()
  }

  #drain(): void {
    if (this.#state !== 'idle' || this.#host.paused) return
    const next = this.#inbox.shift()
    if (!next) return
    if (next.input.type === 'task') this.#waitingTasks--
    this.#current = next
    this.#setState('working')
    const { input } = next
    this.#remember({ direction: 'in', kind: input.type, from: input.from, content: input.content })
    this.#host.delivered(this, input)
    // Read at each turn, so a skill changed at runtime is what the next turn sees.
    this.#backend.sendInput({ ...input, skills: this.#host.skills(this) })
  }

  /** Empties the inbox and the turn in progress, returning what was taken and not finished. */
  #takeAll(): InboxEntry[] {
    const taken = [...(this.#current ? [this.#current] : []), ...this.#inbox]
    this.#inbox.length = 0
    this.#waitingTasks = 0
    this.#current = null
    return taken
  }

  #onOutput(output: BackendOutput): void {
    if (this.#state === 'stopped') return
    switch (output.type) {
      case 'output':
        this.#remember({ direction: 'out', kind: 'output', content: output.content })
        this.#host.output(this, output.content)
        break
      case 'send':
        this.#host.message(this, { kind: 'direct', to: output.to, content: output.content })
        break
      case 'broadcast':
        this.#host.message(this, { kind: 'broadcast', content: output.content })
        break
      case 'status':
        if (output.state === 'idle' && this.#state === 'working') {
          // The idle change is still part of the turn (it carries its task), so the turn ends after it.
          this.#setState('idle')
          const finished = this.#current
          this.#current = null
          if (finished) this.#host.turnFinished(this, finished)
          this.#drain()
        } else if (output.state === 'working' && this.#state === 'idle') {
          this.#setState('working')
        }
        break
      case 'stderr':
        this.#host.stderr(this, output.line)
        break
      case 'turn_error':
        this.#host.turnFailed(this, output.message, output.metadata)
        break
      case 'warning':
        this.#host.warning(this, output.event_type, output.message, output.metadata)
        break
      case 'delta':
        this.#host.delta(this, output.turn, output.delta)
        break
      case 'usage':
        this.tokens.prompt_tokens += output.usage.prompt_tokens
        this.tokens.completion_tokens += output.usage.completion_tokens
        this.tokens.total_tokens += output.usage.prompt_tokens + output.usage.completion_tokens
        this.tokens.turns++
        this.#host.usage(this, output.usage)
        break
      case 'exit': {
        const abandoned = this.#takeAll()
        this.#setState('error')
        this.#host.crashed(this, output.code, output.signal)
        if (abandoned.length > 0) this.#host.abandoned(this, abandoned, `agent ${this.name} exited`)
        break
      }
    }
  }

  #remember(entry: Omit<HistoryEntry, 'timestamp'>): void {
    const remembered = { at: Date.now(), ...entry }
    if (this.#history.length < HISTORY_SIZE) this.#history.push(remembered)
    else this.#history[this.#historyNext] = remembered
    this.#historyNext = (this.#historyNext + 1) % HISTORY_SIZE
  }

  #setState(state: AgentState): void {
    const previous = this.#state
    if (previous === state) return
    this.#state = state
    this.#host.stateChanged(this, state, previous)
  }
}
