import type { ObjectSpec } from '../config/types.js'
import { objectContext } from './context.js'
import { checkResult } from './result.js'
import { DEFAULT_OBJECT_TIMEOUT_MS, type ObjectAnswer, type ObjectContext, type ObjectHost, type ObjectModule, type ObjectResult, type ObjectState, type ObjectStatus } from './types.js'

const TIMED_OUT = Symbol('timed out')
type Hook = 'init' | 'handleMessage' | 'handleTimer' | 'configure' | 'terminate'

/**
 * One object with behaviour: its module, its state and its timers. Calls
 * run one at a time in arrival order, each under the object's time limit,
 * so a slow handler delays only its own object and a handler whose promise
 * never settles is abandoned when the limit passes. A call that throws or
 * rejects changes nothing (the previous state is kept); one over the limit
 * puts the object in `error`, since its state may be half-changed.
 */
export class ObjectRuntime {
  readonly name: string
  spec: ObjectSpec
  readonly #module: ObjectModule
  readonly #host: ObjectHost
  readonly #ctx: ObjectContext
  readonly #timers = new Map<string, NodeJS.Timeout>()
  #state: unknown = undefined
  #status: ObjectState = 'initializing'
  #messageCount = 0
  #lastError: { message: string; at: string } | null = null
  #chain: Promise<void> = Promise.resolve()

  constructor(spec: ObjectSpec, module: ObjectModule, host: ObjectHost) {
    this.name = spec.name
    this.spec = spec
    this.#module = module
    this.#host = host
    this.#ctx = objectContext(host, spec.name, { setTimer: (n, ms) => this.#setTimer(n, ms), clearTimer: (n) => this.#clearTimer(n) })
  }

  get state(): ObjectState {
    return this.#status
  }

  get #timeoutMs(): number {
    return this.spec.timeout_ms ?? DEFAULT_OBJECT_TIMEOUT_MS
  }

  /** Runs `init`; resolves once it has run (or failed). */
  start(): Promise<void> {
    return this.#enqueue(() => this.#init('started'))
  }

  /** Accepts a message for the object; a refusal (object in error or stopped) is told as an event and answers false. */
  deliver(from: string, content: string): boolean {
    if (this.#refuses(from, content)) return false
    void this.#enqueue(async () => {
      if (this.#refuses(from, content)) return
      this.#messageCount++
      const called = await this.#call('handleMessage', () => this.#module.handleMessage?.({ from, content }, this.#state, this.#ctx))
      if (called) this.#apply(called.result, from)
    })
    return true
  }

  /**
   * Runs `handleMessage` for an ask and gives its reply to `answer` instead of
   * routing it, before the result's `send` and `broadcast` go out, so the asker
   * hears back first. `answer` is called exactly once, whatever happens.
   */
  ask(from: string, content: string, answer: (outcome: ObjectAnswer) => void): void {
    const refusal = () => ({ ok: false as const, error: `object ${this.name} is in state ${this.#status} and answers nothing` })
    if (this.#refuses(from, content)) return answer(refusal())
    void this.#enqueue(async () => {
      if (this.#refuses(from, content)) return answer(refusal())
      this.#messageCount++
      const called = await this.#call('handleMessage', () => this.#module.handleMessage?.({ from, content }, this.#state, this.#ctx))
      if (!called) return answer({ ok: false, error: `object ${this.name} could not answer: ${this.#lastError?.message ?? 'its handler failed'}` })
      const reply = called.result?.reply
      answer(reply === undefined ? { ok: false, error: `object ${this.name} gave no reply` } : { ok: true, reply })
      this.#apply(called.result, null)
    })
  }

  /** New config (merged by the mutation): `configure` when the module has it and the object runs, else `init` again. */
  configure(spec: ObjectSpec): Promise<void> {
    this.spec = spec
    return this.#enqueue(async () => {
      if (this.#status === 'stopped') return
      if (this.#module.configure && this.#status === 'running') {
        const called = await this.#call('configure', () => this.#module.configure!(spec.config, this.#state, this.#ctx))
        if (called) this.#apply(called.result, null)
      } else {
        await this.#init('reconfigured')
      }
    })
  }

  /** Stops its timers, runs `terminate`, and refuses everything after. */
  stop(): Promise<void> {
    const stopping = this.#enqueue(async () => {
      if (this.#status === 'stopped') return
      this.#clearTimers()
      if (this.#status === 'running' && this.#module.terminate) await this.#call('terminate', () => this.#module.terminate!(this.#state, this.#ctx))
      this.#clearTimers()
      this.#status = 'stopped'
      this.#host.objectEvent({ event_type: 'object_stopped', object: this.name, message: `object ${this.name} stopped` })
    })
    return stopping
  }

  status(): ObjectStatus {
    return {
      name: this.name,
      type: this.spec.type,
      status: this.#status,
      handler: this.spec.handler ?? null,
      interface: isDict(this.#module.interface) ? this.#module.interface : null,
      config: this.spec.config,
      timeout_ms: this.#timeoutMs,
      message_count: this.#messageCount,
      last_error: this.#lastError,
      timers: [...this.#timers.keys()],
    }
  }

  async #init(verb: 'started' | 'reconfigured'): Promise<void> {
    const called = await this.#call('init', () => this.#module.init?.(this.spec.config, this.#ctx))
    if (!called) {
      this.#status = 'error'
      this.#clearTimers()
      return
    }
    this.#status = 'running'
    this.#host.objectEvent({ event_type: 'object_started', object: this.name, message: `object ${this.name} ${verb}`, metadata: { handler: this.spec.handler ?? null, reconfigured: verb === 'reconfigured' } })
    this.#apply(called.result, null)
  }

  #refuses(from: string, content: string): boolean {
    if (this.#status !== 'error' && this.#status !== 'stopped') return false
    this.#host.objectEvent({
      event_type: 'message_refused',
      object: this.name,
      level: 'warning',
      message: `message from ${from} to object ${this.name} refused: the object is in state ${this.#status}`,
      metadata: { from, state: this.#status, content_preview: content.slice(0, 100) },
    })
    return true
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(task)
    // #call never rejects; this only keeps one bug from stopping every later call.
    this.#chain = next.catch(() => {})
    return this.#chain
  }

  /** One handler call under the time limit; null when it threw, rejected, returned something invalid or ran over. */
  async #call(hook: Hook, fn: () => unknown): Promise<{ result: ObjectResult | undefined } | null> {
    let timer: NodeJS.Timeout | undefined
    const limit = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), this.#timeoutMs)
    })
    try {
      const outcome = await Promise.race([Promise.resolve().then(fn), limit])
      if (outcome === TIMED_OUT) {
        this.#status = 'error'
        this.#clearTimers()
        this.#failed(hook, `${hook} did not finish within ${this.#timeoutMs} ms; the object is now in error`, { timeout_ms: this.#timeoutMs, timeout: true })
        return null
      }
      if (hook === 'terminate') return { result: undefined }
      const checked = checkResult(outcome)
      if (!checked.ok) {
        this.#failed(hook, `${hook} returned an invalid result: ${checked.reason}`, { details: { message: checked.reason } })
        return null
      }
      return { result: checked.result }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      const stack = err instanceof Error ? (err.stack ?? null) : null
      this.#failed(hook, `${hook} failed: ${message}`, { details: { message, stack } })
      return null
    } finally {
      clearTimeout(timer)
    }
  }

  #failed(hook: Hook, message: string, metadata: Record<string, unknown>): void {
    this.#lastError = { message, at: new Date().toISOString() }
    this.#host.objectEvent({ event_type: 'object_error', object: this.name, level: 'error', message: `object ${this.name}: ${message}`, metadata: { hook, ...metadata } })
  }

  #apply(result: ObjectResult | undefined, from: string | null): void {
    if (!result) return
    if (Object.hasOwn(result, 'state')) this.#state = result.state
    if (result.reply !== undefined && from !== null) this.#host.objectReply(this.name, from, result.reply)
    for (const message of result.send ?? []) this.#host.objectSend(this.name, message.to, message.content)
    if (result.broadcast !== undefined) this.#host.objectBroadcast(this.name, result.broadcast)
  }

  #setTimer(name: string, ms: number): void {
    if (this.#status === 'stopped') return
    this.#clearTimer(name)
    this.#timers.set(name, setTimeout(() => {
      this.#timers.delete(name)
      void this.#enqueue(async () => {
        if (this.#status !== 'running') return
        const called = await this.#call('handleTimer', () => this.#module.handleTimer?.(name, this.#state, this.#ctx))
        if (called) this.#apply(called.result, null)
      })
    }, ms))
  }

  #clearTimer(name: string): void {
    clearTimeout(this.#timers.get(name))
    this.#timers.delete(name)
  }

  #clearTimers(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer)
    this.#timers.clear()
  }
}

function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
