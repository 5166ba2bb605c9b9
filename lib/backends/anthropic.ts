import Anthropic from '@anthropic-ai/sdk'
import type { ContentBlockParam, MessageCreateParamsStreaming, MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages/messages'
import type { LlmBackendSpec } from '../config/types.js'
import type { ConversationMessage, ToolCall } from './llm/conversation.js'
import type { Endpoint } from './llm/endpoint.js'
import type { FailureKind, Provider, RoundRequest, RoundResult } from './llm/provider.js'
import { classifySdkError, sdkClientOptions } from './llm/sdk.js'
import type { ToolSpec } from './llm/tools.js'

/** Anthropic requires max_tokens on every request; this is used when the config gives none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096

/** Anthropic's Messages API, through the official `@anthropic-ai/sdk` client. */
export function anthropicProvider(spec: LlmBackendSpec, endpoint: Endpoint): Provider {
  const client = new Anthropic(sdkClientOptions(spec, endpoint))
  return {
    name: 'anthropic',
    round: (request) => round(client, spec, request),
    classify,
  }
}

async function round(client: Anthropic, spec: LlmBackendSpec, r: RoundRequest): Promise<RoundResult> {
  const body: MessageCreateParamsStreaming = {
    ...(spec.extra ?? {}),
    model: spec.model,
    system: r.system,
    messages: r.messages.flatMap(toAnthropic),
    tools: r.tools.map(toTool),
    max_tokens: spec.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    stream: true,
    ...(spec.temperature !== undefined ? { temperature: spec.temperature } : {}),
  }
  const stream = await client.messages.create(body, { signal: r.signal })
  r.onStreamStart()
  let text = ''
  let promptTokens = 0
  let completionTokens = 0
  // A tool_use block starts with its id and name; its input follows as partial JSON.
  const calls = new Map<number, ToolCall>()
  for await (const event of stream) {
    r.onActivity()
    switch (event.type) {
      case 'message_start':
        promptTokens = event.message.usage.input_tokens ?? 0
        completionTokens = event.message.usage.output_tokens ?? 0
        break
      case 'message_delta':
        completionTokens = event.usage.output_tokens ?? completionTokens
        if (typeof event.usage.input_tokens === 'number') promptTokens = event.usage.input_tokens
        break
      case 'content_block_start':
        if (event.content_block.type === 'tool_use') calls.set(event.index, { id: event.content_block.id, name: event.content_block.name, arguments: '' })
        break
      case 'content_block_delta':
        if (event.delta.type === 'text_delta') {
          text += event.delta.text
          r.onDelta(event.delta.text)
        } else if (event.delta.type === 'input_json_delta') {
          const call = calls.get(event.index)
          if (call) call.arguments += event.delta.partial_json
        }
        break
    }
  }
  const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call)
  return { text, toolCalls, promptTokens, completionTokens }
}

function toAnthropic(m: ConversationMessage): MessageParam[] {
  switch (m.role) {
    case 'user':
      return [{ role: 'user', content: m.content }]
    case 'assistant': {
      // Anthropic refuses empty text blocks and empty messages.
      const content: ContentBlockParam[] = [
        ...(m.content ? [{ type: 'text' as const, text: m.content }] : []),
        ...(m.tool_calls ?? []).map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.name, input: parseInput(c.arguments) })),
      ]
      return content.length ? [{ role: 'assistant', content }] : []
    }
    case 'tool':
      return [{ role: 'user', content: m.results.map((res) => ({ type: 'tool_result' as const, tool_use_id: res.id, content: res.content })) }]
  }
}

function parseInput(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args || '{}')
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function toTool(t: ToolSpec): Tool {
  return { name: t.name, description: t.description, input_schema: t.parameters as Tool['input_schema'] }
}

function classify(err: unknown): FailureKind {
  return classifySdkError(Anthropic, err, (error) => error)
}
