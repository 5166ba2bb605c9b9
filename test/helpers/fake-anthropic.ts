import type { ServerResponse } from 'node:http'
import type { Test } from 'tap'
import { jsonError, sseHeaders, startFakeLlm, type FakeLlm, type FakeReply } from './fake-llm.js'

/** A fake Anthropic Messages server (POST /v1/messages); its `url` is the origin, like ANTHROPIC_BASE_URL. */
export function startFakeAnthropic(t: Test): Promise<FakeLlm> {
  return startFakeLlm(t, '', writeAnthropic)
}

function writeAnthropic(res: ServerResponse, reply: FakeReply, body: any): void {
  if ('status' in reply) return jsonError(res, reply.status, { type: 'error', error: { type: 'fake_error', message: reply.message } })
  sseHeaders(res)
  const send = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`)
  const usage = 'usage' in reply && reply.usage ? reply.usage : { prompt: 10, completion: 5 }
  send('message_start', {
    message: { id: 'msg_fake', type: 'message', role: 'assistant', model: body?.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.prompt, output_tokens: 1 } },
  })
  let index = 0
  if (reply.text?.length) {
    send('content_block_start', { index, content_block: { type: 'text', text: '' } })
    for (const piece of reply.text) send('content_block_delta', { index, delta: { type: 'text_delta', text: piece } })
    if ('stall' in reply) return
    send('content_block_stop', { index })
    index++
  }
  if ('stall' in reply) return
  for (const call of reply.tool_calls ?? []) {
    send('content_block_start', { index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } })
    send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.arguments) } })
    send('content_block_stop', { index })
    index++
  }
  send('message_delta', { delta: { stop_reason: reply.tool_calls?.length ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.completion } })
  send('message_stop', {})
  res.end()
}
