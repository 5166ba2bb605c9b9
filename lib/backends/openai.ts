import OpenAI from 'openai'
import type { ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions'
import type { LlmBackendSpec } from '../config/types.js'
import type { ConversationMessage, ToolCall } from './llm/conversation.js'
import type { Endpoint } from './llm/endpoint.js'
import type { FailureKind, Provider, RoundRequest, RoundResult } from './llm/provider.js'
import { classifySdkError, sdkClientOptions } from './llm/sdk.js'
import type { ToolSpec } from './llm/tools.js'

/** Any OpenAI-compatible Chat Completions endpoint, through the official `openai` client. */
export function openaiProvider(spec: LlmBackendSpec, endpoint: Endpoint): Provider {
  const client = new OpenAI(sdkClientOptions(spec, endpoint))
  return {
    name: 'openai',
    round: (request) => round(client, spec, request),
    classify,
  }
}

async function round(client: OpenAI, spec: LlmBackendSpec, r: RoundRequest): Promise<RoundResult> {
  const body: ChatCompletionCreateParamsStreaming = {
    ...(spec.extra ?? {}),
    model: spec.model,
    messages: [{ role: 'system', content: r.system }, ...r.messages.flatMap(toOpenAI)],
    tools: r.tools.map(toTool),
    stream: true,
    stream_options: { include_usage: true },
    ...(spec.temperature !== undefined ? { temperature: spec.temperature } : {}),
    ...(spec.max_tokens !== undefined ? { max_tokens: spec.max_tokens } : {}),
  }
  const stream = await client.chat.completions.create(body, { signal: r.signal })
  r.onStreamStart()
  let text = ''
  let promptTokens = 0
  let completionTokens = 0
  // Tool calls arrive in pieces keyed by index: the first piece has id and name, later ones more arguments.
  const calls = new Map<number, ToolCall>()
  for await (const chunk of stream) {
    r.onActivity()
    if (chunk.usage) {
      promptTokens = chunk.usage.prompt_tokens ?? 0
      completionTokens = chunk.usage.completion_tokens ?? 0
    }
    const delta = chunk.choices?.[0]?.delta
    if (!delta) continue
    if (delta.content) {
      text += delta.content
      r.onDelta(delta.content)
    }
    for (const piece of delta.tool_calls ?? []) {
      const call = calls.get(piece.index) ?? { id: '', name: '', arguments: '' }
      if (piece.id) call.id = piece.id
      if (piece.function?.name) call.name += piece.function.name
      if (piece.function?.arguments) call.arguments += piece.function.arguments
      calls.set(piece.index, call)
    }
  }
  const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([i, call]) => ({ ...call, id: call.id || `call_${i}` }))
  return { text, toolCalls, promptTokens, completionTokens }
}

function toOpenAI(m: ConversationMessage): ChatCompletionMessageParam[] {
  switch (m.role) {
    case 'user':
      return [{ role: 'user', content: m.content }]
    case 'assistant':
      return [{
        role: 'assistant',
        content: m.content,
        ...(m.tool_calls?.length
          ? { tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) }
          : {}),
      }]
    case 'tool':
      return m.results.map((res) => ({ role: 'tool' as const, tool_call_id: res.id, content: res.content }))
  }
}

function toTool(t: ToolSpec): ChatCompletionTool {
  return { type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }
}

function classify(err: unknown): FailureKind {
  return classifySdkError(OpenAI, err, (error) => ({ error }))
}
