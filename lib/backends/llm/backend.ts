import type { LlmBackendSpec } from '../../config/types.js'
import type { AgentBackend, AgentContext, AgentIdentity, AgentInput, BackendHealth, BackendOutput } from '../types.js'
import { boundHistory, DEFAULT_MAX_HISTORY_MESSAGES, type ConversationMessage } from './conversation.js'
import { resolveEndpoint, type Endpoint } from './endpoint.js'
import { describeFailure, stallFailure, type FailureContext } from './failure.js'
import { inputMessage, systemPrompt } from './prompt.js'
import type { Provider } from './provider.js'
import { loadSkills, turnSkills } from './skills.js'
import { DEFAULT_MAX_TOOL_ROUNDS, runTurn, StallError, type Tally } from './turn-loop.js'

export const DEFAULT_TIMEOUT_MS = 60_000
export const DEFAULT_MAX_RETRIES = 2

/** Builds the provider's SDK client for an endpoint; the key goes into the client and nowhere else. */
export type ProviderFactory = (spec: LlmBackendSpec, endpoint: Endpoint) => Provider

/**
 * An agent answered by a chat model: one streamed turn per input over the
 * agent's conversation. Inputs come one at a time (the agent queues them), so
 * at most one request is in flight, and `stop` aborts it.
 */
export class LlmBackend implements AgentBackend {
  readonly kind: LlmBackendSpec['type']
  readonly #spec: LlmBackendSpec
  readonly #identity: AgentIdentity
  readonly #ctx: AgentContext
  readonly #makeProvider: ProviderFactory
  #listener: (output: BackendOutput) => void = () => {}
  #running = false
  #provider: Provider | null = null
  #failure: FailureContext | null = null
  #skills: string[] = []
  #conversation: ConversationMessage[] = []
  #turns = 0
  #inflight: { controller: AbortController; done: Promise<void> } | null = null

  constructor(spec: LlmBackendSpec, identity: AgentIdentity, ctx: AgentContext, makeProvider: ProviderFactory) {
    this.kind = spec.type
    this.#spec = spec
    this.#identity = identity
    this.#ctx = ctx
    this.#makeProvider = makeProvider
  }

  onOutput(listener: (output: BackendOutput) => void): void {
    this.#listener = listener
  }

  async start(): Promise<void> {
    const endpoint = resolveEndpoint(this.#spec)
    this.#skills = await loadSkills(this.#identity.skills, this.#ctx.skillDirs)
    this.#provider = this.#makeProvider(this.#spec, endpoint)
    this.#failure = { provider: this.#spec.type, baseURL: endpoint.baseURL, keyVar: endpoint.keyVar, timeoutMs: this.#spec.timeout_ms ?? DEFAULT_TIMEOUT_MS }
    // A restarted agent starts a new conversation.
    this.#conversation = []
    this.#running = true
  }

  async stop(): Promise<void> {
    this.#running = false
    const inflight = this.#inflight
    if (!inflight) return
    inflight.controller.abort()
    await inflight.done
  }

  health(): BackendHealth {
    return { alive: this.#running }
  }

  sendInput(input: AgentInput): void {
    if (!this.#running || !this.#provider) return
    const controller = new AbortController()
    const turn = ++this.#turns
    const done = this.#turn(input, turn, this.#provider, controller.signal).finally(() => {
      if (this.#inflight?.controller === controller) this.#inflight = null
    })
    this.#inflight = { controller, done }
  }

  async #turn(input: AgentInput, turn: number, provider: Provider, signal: AbortSignal): Promise<void> {
    const started = performance.now()
    const tally: Tally = { promptTokens: 0, completionTokens: 0, toolRounds: 0 }
    const max = this.#spec.max_history_messages ?? DEFAULT_MAX_HISTORY_MESSAGES
    const history = boundHistory([...this.#conversation, { role: 'user', content: inputMessage(input) }], max)
    const system = systemPrompt(turnSkills(this.#identity.skills, this.#skills, input.skills), { agent: this.#identity.agent, swarm: this.#identity.swarm, targets: this.#ctx.targets() })
    const emit = (output: BackendOutput) => {
      // After a stop nothing of the aborted turn is reported.
      if (!signal.aborted) this.#listener(output)
    }
    const usage = (toolLimit: boolean) =>
      emit({
        type: 'usage',
        usage: {
          model: this.#spec.model,
          prompt_tokens: tally.promptTokens,
          completion_tokens: tally.completionTokens,
          duration_ms: Math.round(performance.now() - started),
          tool_rounds: tally.toolRounds,
          ...(toolLimit ? { tool_limit_reached: true } : {}),
        },
      })
    try {
      const outcome = await runTurn({
        provider,
        system,
        history,
        ctx: this.#ctx,
        signal,
        maxToolRounds: this.#spec.max_tool_rounds ?? DEFAULT_MAX_TOOL_ROUNDS,
        stallMs: this.#failure!.timeoutMs,
        onDelta: (delta) => emit({ type: 'delta', turn, delta }),
        tally,
      })
      if (signal.aborted) return
      this.#conversation = boundHistory([...history, ...outcome.added], max)
      emit({ type: 'output', content: outcome.text })
      usage(outcome.toolLimitReached)
    } catch (err) {
      if (signal.aborted) return
      const failure = err instanceof StallError ? stallFailure(this.#failure!) : describeFailure(provider.classify(err), this.#failure!)
      usage(false)
      emit({ type: 'turn_error', message: `agent ${this.#identity.agent}: ${failure.message}`, metadata: { ...failure.details, turn } })
    } finally {
      emit({ type: 'status', state: 'idle' })
    }
  }
}
