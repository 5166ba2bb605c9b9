import type { AskAnswer } from '../backends/index.js'
import type { ObjectAnswer } from '../objects/types.js'
import type { RoutingData } from './types.js'

export const DEFAULT_ASK_TIMEOUT_MS = 30_000

/** What an ask needs from its swarm; the swarm emits, this only decides and waits. */
export interface AskPorts {
  hasEdge(from: string, to: string): boolean
  isAgent(name: string): boolean
  isNode(name: string): boolean
  /** whether `to` is an object with a handler, the only kind of node that can answer */
  answers(name: string): boolean
  askObject(from: string, to: string, content: string, answer: (outcome: ObjectAnswer) => void): void
  /** logs one leg (question or reply) and emits its message_routed */
  routed(from: string, to: string, content: string): RoutingData
  /** a refusal worth an event (no edge, no node), with the event type it is stored as */
  refused(eventType: 'invalid_route' | 'target_not_found', from: string, to: string, error: string): void
  timedOut(from: string, to: string, ms: number): void
}

/** An agent's `ask`'s timeout: its `config.ask_timeout_ms`, else the default. */
export function askTimeout(config: Record<string, unknown>): number {
  const ms = config.ask_timeout_ms
  return typeof ms === 'number' && Number.isSafeInteger(ms) && ms > 0 ? ms : DEFAULT_ASK_TIMEOUT_MS
}

/**
 * One ask from agent `from` to object `to`. Both edges are checked before the
 * object hears anything, so a refused ask has no side effect. The promise
 * always settles: with the reply, a refusal, the object's failure, or the
 * timeout, whichever comes first.
 */
export function ask(ports: AskPorts, from: string, to: string, content: string, timeoutMs: number): Promise<AskAnswer> {
  if (!ports.isNode(to)) {
    const error = `no node named ${to}`
    ports.refused('target_not_found', from, to, error)
    return Promise.resolve({ ok: false, error })
  }
  if (ports.isAgent(to)) return Promise.resolve({ ok: false, error: `${to} is an agent; only objects answer an ask` })
  if (!ports.hasEdge(from, to)) {
    const error = `no connection from ${from} to ${to}`
    ports.refused('invalid_route', from, to, error)
    return Promise.resolve({ ok: false, error })
  }
  if (!ports.hasEdge(to, from)) {
    const error = `no connection from ${to} back to ${from}, so ${to} cannot answer`
    ports.refused('invalid_route', to, from, error)
    return Promise.resolve({ ok: false, error })
  }
  if (!ports.answers(to)) return Promise.resolve({ ok: false, error: `object ${to} has no handler to answer with` })
  return new Promise((resolve) => {
    let settled = false
    const timer = setTimeout(() => {
      settled = true
      ports.timedOut(from, to, timeoutMs)
      resolve({ ok: false, timeout: true, error: `${to} did not answer within ${timeoutMs} ms` })
    }, timeoutMs)
    // A pending ask must not keep a stopping process alive.
    timer.unref()
    const answer = (outcome: ObjectAnswer) => {
      // A reply after the timeout has no one waiting for it.
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (!outcome.ok) return resolve(outcome)
      ports.routed(to, from, outcome.reply)
      resolve({ ok: true, result: outcome.reply })
    }
    ports.routed(from, to, content)
    ports.askObject(from, to, content, answer)
  })
}
