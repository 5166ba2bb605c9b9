import type { ObjectContext, ObjectHost } from './types.js'

/** Node's timers take at most a signed 32-bit delay. */
const MAX_TIMER_MS = 2 ** 31 - 1

export interface TimerOwner {
  setTimer(name: string, ms: number): void
  clearTimer(name: string): void
}

/** The `ctx` handed to every call of one object. */
export function objectContext(host: ObjectHost, object: string, timers: TimerOwner): ObjectContext {
  const log = (level: 'debug' | 'info' | 'warning' | 'error') => (message: string, metadata?: Record<string, unknown>) =>
    host.objectEvent({ event_type: 'object_log', object, level, message: `${object}: ${String(message)}`, ...(metadata ? { metadata: { ...metadata } } : {}) })
  return Object.freeze({
    swarm: host.swarm,
    object,
    setTimer(name: string, ms: number) {
      if (typeof name !== 'string' || name === '') throw new TypeError('setTimer: name must be a non-empty string')
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new TypeError('setTimer: ms must be a non-negative number')
      timers.setTimer(name, Math.min(ms, MAX_TIMER_MS))
    },
    clearTimer(name: string) {
      timers.clearTimer(name)
    },
    log: Object.freeze({ debug: log('debug'), info: log('info'), warning: log('warning'), error: log('error') }),
    sendToSwarm(swarm: string, to: string, content: string): Promise<void> {
      const sent = host.sendToSwarm(swarm, to, content)
      // A handler that does not await the promise must not leave an unhandled rejection behind.
      sent.catch((err: unknown) => host.objectEvent({
        event_type: 'object_send_failed',
        object,
        level: 'warning',
        message: `${object}: message to ${to} in swarm ${swarm} not delivered: ${err instanceof Error ? err.message : String(err)}`,
        metadata: { swarm, to },
      }))
      return sent
    },
  })
}
