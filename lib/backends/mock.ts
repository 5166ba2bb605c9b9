import type { MockBackendSpec, MockRule } from '../config/types.js'
import type { AgentBackend, AgentInput, BackendHealth, BackendOutput } from './types.js'

interface CompiledRule extends MockRule {
  regex: RegExp
}

/**
 * Answers without a delay run on `setImmediate`: a turn never completes
 * inside the call that started it, and it does not wait for a timer (a
 * `setTimeout(0)` costs a millisecond or more, which capped one agent below
 * 1,000 turns a second). Not a microtask: an agent then takes at most one
 * turn per turn of the event loop, as a process answering over a pipe would,
 * so sockets are written and read between its outputs, and agents answering
 * each other instantly cannot starve timers and I/O. A burst of outputs in
 * one tick would otherwise fill every client's send buffer at once and cut
 * healthy clients off as slow consumers.
 */
function answerSoon(fn: () => void): void {
  setImmediate(fn)
}

/**
 * No process: answers each input with the first scripted rule whose `match`
 * finds the input, after `delay_ms`; with no match it stays silent (or echoes
 * when `echo` is set). Every turn ends with `status idle`.
 */
export class MockBackend implements AgentBackend {
  readonly kind = 'mock'
  readonly #rules: CompiledRule[]
  readonly #echo: boolean
  #listener: (output: BackendOutput) => void = () => {}
  #running = false
  /** bumped by stop: an answer scheduled before it is not given after a restart either */
  #generation = 0
  readonly #timers = new Set<NodeJS.Timeout>()

  constructor(spec: MockBackendSpec) {
    this.#rules = (spec.script ?? []).map((rule) => ({ ...rule, regex: new RegExp(rule.match) }))
    this.#echo = spec.echo ?? false
  }

  onOutput(listener: (output: BackendOutput) => void): void {
    this.#listener = listener
  }

  async start(): Promise<void> {
    this.#running = true
  }

  async stop(): Promise<void> {
    this.#running = false
    this.#generation++
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }

  health(): BackendHealth {
    return { alive: this.#running }
  }

  sendInput(input: AgentInput): void {
    if (!this.#running) return
    const rule = this.#rules.find((r) => r.regex.test(input.content))
    const response = rule ? rule.response : this.#echo ? input.content : null
    const generation = this.#generation
    const answer = () => {
      if (!this.#running || generation !== this.#generation) return
      if (response !== null) this.#listener({ type: 'output', content: response })
      this.#listener({ type: 'status', state: 'idle' })
    }
    const delay = rule?.delay_ms ?? 0
    // Always asynchronous, so a turn never completes inside the call that started it.
    if (delay <= 0) return answerSoon(answer)
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      answer()
    }, delay)
    this.#timers.add(timer)
  }
}
