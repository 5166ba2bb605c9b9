import type { RecoveredAddress } from './errors.js'
import type { Message, Reply } from './types.js'

/** Error reasons the socket layer itself answers with (channels choose their own). */
export const SocketReason = Object.freeze({
  unmatchedTopic: 'unmatched topic',
  tooManyChannels: 'too many channels joined',
  joinCrashed: 'join crashed',
  malformedMessage: 'malformed message',
  binaryUnsupported: 'binary frames not supported',
  tooManyPending: 'too many pending messages',
  unserializableReply: 'reply not serializable',
})

export const ok = (response: Record<string, unknown> = {}): Reply => ({ status: 'ok', response })

/** `extra` adds fields beside `reason` (such as a machine-readable `code`); `reason` itself never changes shape. */
export const refuse = (reason: string, extra: Record<string, unknown> = {}): Reply => ({ status: 'error', response: { ...extra, reason } })

/** Channels are plug-ins: a reply that is not a Reply is treated as a crash of the handler. */
export function isReply(value: unknown): value is Reply {
  if (value === null || typeof value !== 'object') return false
  const { status, response } = value as Record<string, unknown>
  return (status === 'ok' || status === 'error') && response !== null && typeof response === 'object' && !Array.isArray(response)
}

/** The phx_reply frame answering the message at `to`: same join_ref, ref and topic. */
export function replyFrame(to: RecoveredAddress, reply: Reply): Message {
  return { joinRef: to.joinRef, ref: to.ref, topic: to.topic, event: 'phx_reply', payload: { status: reply.status, response: reply.response } }
}
