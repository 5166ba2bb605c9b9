import type { AgentContext } from '../types.js'
import type { ToolCall } from './conversation.js'

/** A tool in provider-neutral form: name, description and JSON Schema of its arguments. */
export interface ToolSpec {
  name: string
  description: string
  parameters: Record<string, unknown>
}

export const SWARM_TOOLS: ToolSpec[] = [
  {
    name: 'send_message',
    description: 'Send a message to another agent of the swarm along one of your outgoing connections.',
    parameters: {
      type: 'object',
      properties: {
        to: { type: 'string', description: 'name of the receiving agent' },
        content: { type: 'string', description: 'the message' },
      },
      required: ['to', 'content'],
    },
  },
  {
    name: 'broadcast',
    description: 'Send a message to every agent you are connected to.',
    parameters: {
      type: 'object',
      properties: { content: { type: 'string', description: 'the message' } },
      required: ['content'],
    },
  },
  {
    name: 'ask',
    description: 'Ask an object of the swarm (a referee, a game, a validator) a question and get its reply as the result. Needs a connection each way.',
    parameters: {
      type: 'object',
      properties: {
        to: { type: 'string', description: 'name of the object' },
        content: { type: 'string', description: 'the question' },
      },
      required: ['to', 'content'],
    },
  },
]

/**
 * Routes one tool call through the agent, exactly as an `@name:` line would
 * be, and returns the tool result the model reads: delivered, or why not; for
 * `ask`, the object's reply (or a JSON `{ok: false, error}`).
 */
export async function runToolCall(call: ToolCall, ctx: AgentContext, signal?: AbortSignal): Promise<string> {
  let args: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(call.arguments || '{}')
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object')
    args = parsed as Record<string, unknown>
  } catch {
    return result({ delivered: false, error: `the arguments of ${call.name} must be a JSON object` })
  }
  const content = args.content
  if (typeof content !== 'string' || content.trim() === '') return result({ delivered: false, error: 'content must be a non-empty string' })
  switch (call.name) {
    case 'send_message': {
      if (typeof args.to !== 'string' || args.to === '') {
        return result({ delivered: false, error: 'to must be the name of an agent', allowed_targets: ctx.targets() })
      }
      return result(ctx.send({ kind: 'direct', to: args.to, content }))
    }
    case 'broadcast':
      return result(ctx.send({ kind: 'broadcast', content }))
    case 'ask': {
      if (typeof args.to !== 'string' || args.to === '') return result({ ok: false, error: 'to must be the name of an object' })
      // The result is the object's reply itself, so the model reads the answer, not a wrapper around it.
      const answer = await untilAborted(ctx.ask(args.to, content), signal)
      return answer.ok ? answer.result : result(answer)
    }
    default:
      return result({ delivered: false, error: `unknown tool ${call.name}; the tools are send_message, broadcast and ask` })
  }
}

/** A stopped agent does not wait for its ask's answer (which may take the whole ask timeout). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('request aborted'))
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}

function result(value: Record<string, unknown>): string {
  return JSON.stringify(value)
}
