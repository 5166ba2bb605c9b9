import type { ObjectResult } from './types.js'

export type CheckedResult = { ok: true; result: ObjectResult | undefined } | { ok: false; reason: string }

/** A handler's answer, checked before any of it takes effect, so a malformed one changes nothing. */
export function checkResult(value: unknown): CheckedResult {
  if (value === undefined || value === null) return { ok: true, result: undefined }
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: `expected undefined or {state, reply, send, broadcast}, got ${kind(value)}` }
  const r = value as Record<string, unknown>
  if (r.reply !== undefined && typeof r.reply !== 'string') return { ok: false, reason: `reply must be a string, got ${kind(r.reply)}` }
  if (r.broadcast !== undefined && typeof r.broadcast !== 'string') return { ok: false, reason: `broadcast must be a string, got ${kind(r.broadcast)}` }
  if (r.send !== undefined) {
    if (!Array.isArray(r.send)) return { ok: false, reason: `send must be a list of {to, content}, got ${kind(r.send)}` }
    const bad = r.send.findIndex((m) => typeof m !== 'object' || m === null || typeof (m as { to?: unknown }).to !== 'string' || typeof (m as { content?: unknown }).content !== 'string')
    if (bad !== -1) return { ok: false, reason: `send[${bad}] must be {to: string, content: string}` }
  }
  const result: ObjectResult = {}
  if (Object.hasOwn(r, 'state')) result.state = r.state
  if (typeof r.reply === 'string') result.reply = r.reply
  if (Array.isArray(r.send)) result.send = (r.send as { to: string; content: string }[]).map(({ to, content }) => ({ to, content }))
  if (typeof r.broadcast === 'string') result.broadcast = r.broadcast
  return { ok: true, result }
}

function kind(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value
}
