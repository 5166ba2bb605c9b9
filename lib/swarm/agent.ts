import { createBackend, type AgentBackend, type AgentInput, type BackendOutput } from '../backends/index.js'
import type { AgentSpec } from '../config/types.js'
import type { AgentState, HistoryEntry } from './types.js'

export const HISTORY_SIZE = 200
export const INBOX_LIMIT = 1000

/** What an agent tells its swarm; the swarm turns these into events and routing. */
export interface AgentHost {
  stateChanged(agent: AgentRuntime, state: AgentState, previous: AgentState): void
  delivered(agent: AgentRuntime, input: AgentInput): void
  output(agent: AgentRuntime, content: string): void
  send(agent: AgentRuntime, to: string, content: string): void
  broadcast(agent: AgentRuntime, content: string): void
  stderr(agent: AgentRuntime, line: string): void
  crashed(agent: AgentRuntime, code: number | null, signal: string | null): void
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
  readonly #inbox: AgentInput[] = []
  readonly #history: HistoryEntry[] = []

  constructor(spec: AgentSpec, swarm: string, host: AgentHost) {
    this.spec = spec
    this.#host = host
    this.#backend = createBackend(spec, swarm)
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
    this.#inbox.length = 0
    await this.#backend.stop()
    this.#setState('stopped')
  }

  /** Queues input; false when the inbox is full (the input is not taken). */
  enqueue(input: AgentInput): boolean {
    if (this.#inbox.length >= INBOX_LIMIT) return false
    this.#inbox.push(input)
    this.#drain()
    return true
  }

  history(limit = 100): HistoryEntry[] {
    return this.#history.slice(-Math.max(0, limit))
  }

  #drain(): void {
    if (this.#state !== 'idle') return
    const next = this.#inbox.shift()
    if (!next) return
    this.#setState('working')
    this.#remember({ direction: 'in', kind: next.type, from: next.from, content: next.content })
    this.#host.delivered(this, next)
    this.#backend.sendInput(next)
  }

  #onOutput(output: BackendOutput): void {
    if (this.#state === 'stopped') return
    switch (output.type) {
      case 'output':
        this.#remember({ direction: 'out', kind: 'output', content: output.content })
        this.#host.output(this, output.content)
        break
      case 'send':
        this.#host.send(this, output.to, output.content)
        break
      case 'broadcast':
        this.#host.broadcast(this, output.content)
        break
      case 'status':
        if (output.state === 'idle' && this.#state === 'working') {
          this.#setState('idle')
          this.#drain()
        } else if (output.state === 'working' && this.#state === 'idle') {
          this.#setState('working')
        }
        break
      case 'stderr':
        this.#host.stderr(this, output.line)
        break
      case 'exit':
        this.#inbox.length = 0
        this.#setState('error')
        this.#host.crashed(this, output.code, output.signal)
        break
    }
  }

  #remember(entry: Omit<HistoryEntry, 'timestamp'>): void {
    this.#history.push({ timestamp: new Date().toISOString(), ...entry })
    if (this.#history.length > HISTORY_SIZE) this.#history.splice(0, this.#history.length - HISTORY_SIZE)
  }

  #setState(state: AgentState): void {
    const previous = this.#state
    if (previous === state) return
    this.#state = state
    this.#host.stateChanged(this, state, previous)
  }
}
