/**
 * An agent's conversation in a provider-neutral shape; each provider adapter
 * translates it into its own message format for every request.
 */
export interface ToolCall {
  id: string
  name: string
  /** the arguments as the model sent them (a JSON text) */
  arguments: string
}

export type ConversationMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; tool_calls?: ToolCall[] }
  | { role: 'tool'; results: { id: string; content: string }[] }

export const DEFAULT_MAX_HISTORY_MESSAGES = 40

/**
 * The newest `max` messages, starting at a user message: a provider refuses a
 * history that opens with an assistant reply or with tool results whose call
 * was cut away.
 */
export function boundHistory(messages: ConversationMessage[], max: number): ConversationMessage[] {
  let start = Math.max(0, messages.length - max)
  while (start < messages.length && messages[start]!.role !== 'user') start++
  return messages.slice(start)
}
