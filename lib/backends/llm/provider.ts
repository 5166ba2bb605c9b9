import type { ConversationMessage, ToolCall } from './conversation.js'
import type { ToolSpec } from './tools.js'

/** One streamed request to the model. */
export interface RoundRequest {
  system: string
  messages: ConversationMessage[]
  tools: ToolSpec[]
  signal: AbortSignal
  onDelta(text: string): void
  /** the response has started: from here on the stall watchdog runs */
  onStreamStart(): void
  /** a chunk arrived: the stall watchdog starts over */
  onActivity(): void
}

export interface RoundResult {
  text: string
  toolCalls: ToolCall[]
  promptTokens: number
  completionTokens: number
}

/** A failure, sorted so one message format fits every provider. */
export type FailureKind =
  | { kind: 'http'; status: number; message: string }
  | { kind: 'timeout' }
  | { kind: 'connection'; message: string }
  | { kind: 'aborted' }
  | { kind: 'other'; message: string }

/** What the shared turn loop needs from a provider's SDK. */
export interface Provider {
  readonly name: 'openai' | 'anthropic'
  round(request: RoundRequest): Promise<RoundResult>
  classify(err: unknown): FailureKind
}

/** The provider's own words from an SDK error body, whichever nesting the provider uses. */
export function providerMessage(body: unknown, fallback: string): string {
  const inner = (value: unknown): unknown => (value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined)
  const b = inner(body) as Record<string, unknown> | undefined
  const nested = inner(b?.error) as Record<string, unknown> | undefined
  const message = nested?.message ?? b?.message
  return typeof message === 'string' && message !== '' ? message : fallback
}
