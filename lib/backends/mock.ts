import type { MockBackendSpec, MockRule } from '../config/types.js'
import type { AgentBackend, AgentInput, BackendHealth, BackendOutput } from './types.js'

interface CompiledRule extends MockRule {
  regex: RegExp
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
    // Always asynchronous, so a turn never completes inside the call that started it.
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      if (!this.#running) return
      if (response !== null) this.#listener({ type: 'output', content: response })
      this.#listener({ type: 'status', state: 'idle' })
    }, rule?.delay_ms ?? 0)
    this.#timers.add(timer)
  }
}
