import type { ServerResponse } from 'node:http'
import type { Test } from 'tap'
import { jsonError, sseHeaders, startFakeLlm, type FakeLlm, type FakeReply } from './fake-llm.js'

/** A fake OpenAI-compatible Chat Completions server; its `url` ends in /v1 like the real ones. */
export function startFakeOpenAI(t: Test): Promise<FakeLlm> {
  return startFakeLlm(t, '/v1', writeOpenAI)
}

function writeOpenAI(res: ServerResponse, reply: FakeReply, body: any): void {
  if ('status' in reply) return jsonError(res, reply.status, { error: { message: reply.message, type: 'fake_error', code: null } })
  sseHeaders(res)
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    res.write(`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model: body?.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`)
  chunk({ role: 'assistant', content: '' })
  for (const piece of reply.text ?? []) chunk({ content: piece })
  if ('stall' in reply) return
  const calls = reply.tool_calls ?? []
  calls.forEach((call, index) => {
    const args = JSON.stringify(call.arguments)
    const half = Math.ceil(args.length / 2)
    // Arguments in two pieces, as real servers split them.
    chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: args.slice(0, half) } }] })
    chunk({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] })
  })
  chunk({}, calls.length ? 'tool_calls' : 'stop')
  const usage = reply.usage ?? { prompt: 10, completion: 5 }
  res.write(`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model: body?.model, choices: [], usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion } })}\n\n`)
  res.end('data: [DONE]\n\n')
}
