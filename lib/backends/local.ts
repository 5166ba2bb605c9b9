import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { LocalBackendSpec } from '../config/types.js'
import { agentEnv, DEFAULT_KILL_GRACE_MS, killTree } from './process-tree.js'
import { askResultLine, parseAskLine } from './local-ask.js'
import type { AgentBackend, AgentContext, AgentIdentity, AgentInput, AskAnswer, BackendHealth, BackendOutput } from './types.js'

const DEFAULT_IDLE_MS = 1000

/** A JSON line with a known `type` is a protocol message; anything else is output text. */
export function parseProtocolLine(line: string): { output: BackendOutput; protocol: boolean } {
  const message = protocolMessage(line)
  return message ? { output: message, protocol: true } : { output: { type: 'output', content: line }, protocol: false }
}

function protocolMessage(line: string): BackendOutput | null {
  const trimmed = line.trim()
  if (trimmed.startsWith('{')) {
    try {
      const msg = JSON.parse(trimmed) as Record<string, unknown>
      switch (msg.type) {
        case 'output':
          if (typeof msg.content === 'string') return { type: 'output', content: msg.content }
          break
        case 'send':
          if (typeof msg.to === 'string' && typeof msg.content === 'string') return { type: 'send', to: msg.to, content: msg.content }
          break
        case 'broadcast':
          if (typeof msg.content === 'string') return { type: 'broadcast', content: msg.content }
          break
        case 'status':
          if (typeof msg.state === 'string') return { type: 'status', state: msg.state }
          break
      }
    } catch {
      // not JSON: plain output text
    }
  }
  return null
}

/**
 * Runs `command` as a child process speaking JSON lines over stdio. The child
 * leads its own process group so stop can signal the whole tree: SIGTERM,
 * then SIGKILL after the grace period.
 */
export class LocalBackend implements AgentBackend {
  readonly kind = 'local'
  readonly #spec: LocalBackendSpec
  readonly #identity: AgentIdentity
  readonly #ctx: AgentContext | null
  #child: ChildProcess | null = null
  #listener: (output: BackendOutput) => void = () => {}
  #stopping = false
  #exited: Promise<void> = Promise.resolve()
  /** plain-text programs end a turn by going quiet; JSON speakers say `status idle` */
  #speaksProtocol = false
  #quietTimer: NodeJS.Timeout | null = null
  #turnOpen = false

  constructor(spec: LocalBackendSpec, identity: AgentIdentity, ctx: AgentContext | null = null) {
    this.#spec = spec
    this.#identity = identity
    this.#ctx = ctx
  }

  onOutput(listener: (output: BackendOutput) => void): void {
    this.#listener = listener
  }

  start(): Promise<void> {
    const [program, ...args] = this.#spec.command
    if (!program) return Promise.reject(new Error('empty command'))
    this.#stopping = false
    const child = spawn(program, args, {
      cwd: this.#spec.cwd,
      env: agentEnv(this.#spec, this.#identity),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    })
    this.#child = child
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()))
    child.stdin!.on('error', () => {}) // EPIPE when the child dies; the exit handler reports it
    createInterface({ input: child.stdout! }).on('line', (line) => this.#onStdout(line))
    createInterface({ input: child.stderr! }).on('line', (line) => this.#listener({ type: 'stderr', line }))

    return new Promise((resolve, reject) => {
      child.once('spawn', () => {
        child.once('exit', (code, signal) => this.#onExit(child, code, signal))
        resolve()
      })
      child.once('error', (err) => {
        if (child.pid === undefined) reject(new Error(`cannot run ${program}: ${(err as NodeJS.ErrnoException).code ?? err.message}`))
      })
    })
  }

  #onStdout(line: string): void {
    const asked = parseAskLine(line)
    if (asked) {
      this.#speaksProtocol = true
      this.#answerAsk(asked)
      this.#armQuietTimer()
      return
    }
    const { output, protocol } = parseProtocolLine(line)
    if (protocol) this.#speaksProtocol = true
    if (output.type === 'status' && output.state === 'idle') this.#turnOpen = false
    this.#listener(output)
    this.#armQuietTimer()
  }

  /** The answer goes to the child that asked; a restarted child never hears an old question's answer. */
  #answerAsk(asked: NonNullable<ReturnType<typeof parseAskLine>>): void {
    const child = this.#child
    const reply = (id: string | number, answer: AskAnswer) => {
      if (this.#child === child && child?.stdin?.writable) child.stdin.write(askResultLine(id, answer))
    }
    if ('invalid' in asked) return reply(asked.invalid, { ok: false, error: asked.error })
    const { id, to, content } = asked.ask
    if (!this.#ctx) return reply(id, { ok: false, error: 'this agent cannot ask' })
    void this.#ctx.ask(to, content).then((answer) => reply(id, answer), (err: unknown) => reply(id, { ok: false, error: String(err) }))
  }

  #armQuietTimer(): void {
    if (this.#quietTimer) clearTimeout(this.#quietTimer)
    this.#quietTimer = null
    const explicit = this.#spec.idle_ms
    if (!this.#turnOpen || (this.#speaksProtocol && explicit === undefined)) return
    this.#quietTimer = setTimeout(() => {
      this.#quietTimer = null
      if (!this.#turnOpen) return
      this.#turnOpen = false
      this.#listener({ type: 'status', state: 'idle' })
    }, explicit ?? DEFAULT_IDLE_MS)
    this.#quietTimer.unref()
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child !== child) return
    this.#child = null
    if (this.#quietTimer) clearTimeout(this.#quietTimer)
    if (!this.#stopping) this.#listener({ type: 'exit', code, signal })
  }

  sendInput(input: AgentInput): void {
    const child = this.#child
    if (!child?.stdin?.writable) return
    this.#turnOpen = true
    child.stdin.write(JSON.stringify(input) + '\n')
    this.#armQuietTimer()
  }

  health(): BackendHealth {
    return this.#child?.pid ? { alive: true, pid: this.#child.pid } : { alive: false }
  }

  async stop(): Promise<void> {
    const child = this.#child
    if (!child || child.pid === undefined) return
    this.#stopping = true
    if (this.#quietTimer) clearTimeout(this.#quietTimer)
    child.stdin?.end()
    await killTree(child.pid, this.#spec.kill_grace_ms ?? DEFAULT_KILL_GRACE_MS, this.#exited)
    this.#child = null
  }
}
