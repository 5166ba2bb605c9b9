import { setTimeout as sleep } from 'node:timers/promises'
import type { EventStore, SwarmEvent } from '../events/types.js'

export interface EventFilter {
  swarm?: string
  agent?: string
  /** any of these levels; all levels when absent */
  levels?: string[]
  category?: string
  event_type?: string
  minutes?: number
}

export function matches(e: SwarmEvent, f: EventFilter): boolean {
  return (!f.swarm || e.swarm === f.swarm)
    && (!f.agent || e.agent === f.agent)
    && (!f.levels || f.levels.includes(e.level))
    && (!f.category || e.category === f.category)
    && (!f.event_type || e.event_type === f.event_type)
}

/**
 * The last `limit` matching events up to id `tip`, oldest first. Reading
 * only up to a tip taken beforehand lets a follow start exactly there.
 */
export function recentEvents(store: EventStore, f: EventFilter, limit: number, tip: number): SwarmEvent[] {
  if (limit <= 0) return []
  const base = { swarm: f.swarm, agent: f.agent, category: f.category, event_type: f.event_type, minutes: f.minutes, limit }
  const found = f.levels ? f.levels.flatMap((level) => store.query({ ...base, level })) : store.query(base)
  return found
    .filter((e) => e.id <= tip)
    .sort((a, b) => b.id - a.id)
    .slice(0, limit)
    .reverse()
}

/** Reads every event written after `afterId`, as it is written, until `signal` aborts. */
export async function followEvents(
  store: EventStore,
  afterId: number,
  f: EventFilter,
  print: (e: SwarmEvent) => void,
  signal: AbortSignal,
  intervalMs = 100,
): Promise<void> {
  let last = afterId
  while (!signal.aborted) {
    for (;;) {
      const batch = store.eventsSince(last, 500)
      for (const e of batch) {
        last = e.id
        if (matches(e, f)) print(e)
      }
      if (batch.length < 500) break
    }
    try {
      await sleep(intervalMs, undefined, { signal })
    } catch {
      // aborted: the loop ends
    }
  }
}

/** Aborts on the first SIGINT or SIGTERM (Ctrl-C ends a follow cleanly, exit code 0). */
export function untilInterrupted(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController()
  const abort = () => controller.abort()
  process.once('SIGINT', abort)
  process.once('SIGTERM', abort)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', abort)
      process.off('SIGTERM', abort)
    },
  }
}
