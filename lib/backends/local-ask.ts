import type { AskAnswer } from './types.js'

/** A question a JSON-lines program asked: `{"type":"ask","id":…,"to":…,"content":…}`. */
export interface AskLine {
  id: string | number
  to: string
  content: string
}

/**
 * Recognises an ask line. One with an id but a bad `to` or `content` is still
 * an ask, so the program hears why instead of waiting for an answer forever.
 */
export function parseAskLine(line: string): { ask: AskLine } | { invalid: string | number; error: string } | null {
  const trimmed = line.trim()
  if (!trimmed.startsWith('{')) return null
  let msg: Record<string, unknown>
  try {
    msg = JSON.parse(trimmed) as Record<string, unknown>
  } catch {
    return null
  }
  if (typeof msg !== 'object' || msg === null || msg.type !== 'ask') return null
  const id = msg.id
  if (typeof id !== 'string' && typeof id !== 'number') return null
  if (typeof msg.to !== 'string' || msg.to === '') return { invalid: id, error: 'to must be the name of an object' }
  if (typeof msg.content !== 'string') return { invalid: id, error: 'content must be a string' }
  return { ask: { id, to: msg.to, content: msg.content } }
}

/** The line written back to the program's stdin. */
export function askResultLine(id: string | number, answer: AskAnswer): string {
  return JSON.stringify({ type: 'ask_result', id, ...answer }) + '\n'
}
