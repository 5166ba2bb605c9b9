import type { AgentContext } from '../types.js'
import type { ConversationMessage } from './conversation.js'
import type { Provider } from './provider.js'
import { runToolCall, SWARM_TOOLS } from './tools.js'

export const DEFAULT_MAX_TOOL_ROUNDS = 8

/** Counted as the turn goes, so a turn that fails half-way still reports what it spent. */
export interface Tally {
  promptTokens: number
  completionTokens: number
  toolRounds: number
}

export interface TurnRequest {
  provider: Provider
  system: string
  /** earlier turns plus this turn's input, already bounded */
  history: ConversationMessage[]
  ctx: AgentContext
  signal: AbortSignal
  maxToolRounds: number
  /** the response may stay silent this long before the request is given up */
  stallMs: number
  onDelta(text: string): void
  tally: Tally
}

export interface TurnOutcome {
  /** every delta of the turn joined: the one agent_output */
  text: string
  /** what this turn adds to the conversation */
  added: ConversationMessage[]
  /** the model still asked for tools after max_tool_rounds */
  toolLimitReached: boolean
}

export class StallError extends Error {
  constructor() {
    super('stream stalled')
    this.name = 'StallError'
  }
}

/**
 * One turn: request, run the tool calls the answer asks for, feed their
 * results back, and again, until an answer without tool calls or the round
 * limit. Text of every round streams through `onDelta`; rounds are joined by a
 * blank line so that the deltas, joined, are exactly the final text.
 */
export async function runTurn(r: TurnRequest): Promise<TurnOutcome> {
  const added: ConversationMessage[] = []
  let text = ''
  for (;;) {
    let roundText = ''
    const emit = (delta: string) => {
      if (delta === '') return
      if (roundText === '' && text !== '') {
        text += '\n\n'
        r.onDelta('\n\n')
      }
      roundText += delta
      text += delta
      r.onDelta(delta)
    }
    const result = await withWatchdog(r.signal, r.stallMs, (signal, watchdog) =>
      r.provider.round({
        system: r.system,
        messages: [...r.history, ...added],
        tools: SWARM_TOOLS,
        signal,
        onDelta: emit,
        onStreamStart: watchdog.arm,
        onActivity: watchdog.arm,
      }),
    )
    r.tally.promptTokens += result.promptTokens
    r.tally.completionTokens += result.completionTokens
    if (result.toolCalls.length === 0) {
      added.push({ role: 'assistant', content: result.text })
      return { text, added, toolLimitReached: false }
    }
    if (r.tally.toolRounds >= r.maxToolRounds) {
      // Calls that are not run must not stay in the history without results.
      added.push({ role: 'assistant', content: result.text })
      return { text, added, toolLimitReached: true }
    }
    r.tally.toolRounds++
    added.push({ role: 'assistant', content: result.text, tool_calls: result.toolCalls })
    // One at a time, in the model's order: an ask waits for its answer before the next call runs.
    const results = []
    for (const call of result.toolCalls) results.push({ id: call.id, content: await runToolCall(call, r.ctx, r.signal) })
    added.push({ role: 'tool', results })
  }
}

interface Watchdog {
  arm(): void
}

/**
 * Aborts the request when an armed watchdog sees no activity for `ms`. It is
 * armed only once the response starts: until then the SDK's own timeout and
 * retries apply.
 */
async function withWatchdog<T>(outer: AbortSignal, ms: number, fn: (signal: AbortSignal, watchdog: Watchdog) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  let stalled = false
  const onOuterAbort = () => controller.abort(outer.reason)
  if (outer.aborted) controller.abort(outer.reason)
  else outer.addEventListener('abort', onOuterAbort, { once: true })
  const watchdog: Watchdog = {
    arm: () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        stalled = true
        controller.abort(new StallError())
      }, ms)
    },
  }
  try {
    const result = await fn(controller.signal, watchdog)
    // The SDKs end an aborted stream quietly, as if it were complete: an abort must not pass for an answer.
    if (controller.signal.aborted) throw stalled ? new StallError() : new Error('request aborted')
    return result
  } catch (err) {
    throw stalled ? new StallError() : err
  } finally {
    clearTimeout(timer)
    outer.removeEventListener('abort', onOuterAbort)
  }
}
