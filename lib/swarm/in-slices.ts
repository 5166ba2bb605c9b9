import { performance } from 'node:perf_hooks'

/** How long one slice may hold the event loop: well under the 50 ms a busy server may go unanswered. */
const SLICE_MS = 10

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * `Promise.allSettled(items.map(fn))`, except that the calls are made a
 * slice at a time, yielding to the event loop between slices: starting
 * 10,000 agents is 10,000 synchronous starts and their events, and a REST
 * request or a socket frame must still be answered meanwhile. The slice
 * grows or shrinks so that a slice with the promise callbacks it causes
 * stays near SLICE_MS. Every call is still made before any is awaited, so
 * slow starts (processes) overlap as before.
 */
export async function settledInSlices<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const pending: Promise<R>[] = []
  let size = 16
  for (let i = 0; i < items.length;) {
    const started = performance.now()
    const end = Math.min(items.length, i + size)
    for (; i < end; i++) pending.push(fn(items[i]!))
    if (i === items.length) break
    // Callbacks the slice queued run before the next turn, so they count in its time.
    await nextTurn()
    const took = performance.now() - started
    if (took > SLICE_MS) size = Math.max(1, Math.floor(size / 2))
    else if (took < SLICE_MS / 2) size *= 2
  }
  return Promise.allSettled(pending)
}
