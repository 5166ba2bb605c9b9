import type { EventQuery, EventStore, SwarmEvent } from '../events/types.js'

/**
 * Stored events read for a subscribe reply. Rows are read in chunks and
 * measured as they are rendered, so a reply never holds more than its byte
 * budget plus one chunk of events, however large the stored events are. The
 * first chunk is small, since large events fill the budget in a few rows;
 * chunks then grow so small events do not cost one query each.
 */
const FIRST_CHUNK = 4
const MAX_CHUNK = 64
const grow = (chunk: number) => Math.min(MAX_CHUNK, chunk * 2)
/** bytes of a reply outside its list (status, filters, flags), kept out of the list's budget */
export const REPLY_ENVELOPE_BYTES = 1024

export interface Recent<T> {
  /** oldest first */
  items: T[]
  /** true when older matching events exist within the count limit but did not fit the byte budget */
  truncated: boolean
  /** the newest matching id the read saw (listed or not), 0 when none */
  newestId: number
}

const sizeOf = (item: unknown): number => Buffer.byteLength(JSON.stringify(item)) + 1

/** The newest `limit` matching events that fit in `maxBytes`, oldest first; cut from the old end. */
export function newestFitting<T>(store: EventStore, q: EventQuery, limit: number, maxBytes: number, render: (e: SwarmEvent) => T): Recent<T> {
  const newestFirst: T[] = []
  let bytes = 0
  let newestId = 0
  let beforeId: number | undefined
  let chunk = FIRST_CHUNK
  while (newestFirst.length < limit) {
    const want = Math.min(chunk, limit - newestFirst.length)
    chunk = grow(chunk)
    const rows = store.query({ ...q, limit: want, ...(beforeId !== undefined ? { beforeId } : {}) })
    if (newestId === 0 && rows[0]) newestId = rows[0].id
    for (const row of rows) {
      const item = render(row)
      bytes += sizeOf(item)
      if (bytes > maxBytes) return { items: newestFirst.reverse(), truncated: true, newestId }
      newestFirst.push(item)
    }
    if (rows.length < want) break
    beforeId = rows.at(-1)!.id
  }
  return { items: newestFirst.reverse(), truncated: false, newestId }
}

export interface Page<T> {
  /** oldest first, ids after the `since` the page was read from */
  items: T[]
  /** the id of the last listed event, or `since` when none was */
  lastId: number
  /** matching events after lastId exist: read on from lastId */
  more: boolean
}

/**
 * Matching events after `since`, oldest first, as many as fit in `maxBytes`
 * (and at most `maxCount`). A page always carries at least one event when
 * there is one, even if that event alone is over the budget: otherwise a
 * client could never get past it.
 */
export function pageAfter<T>(
  store: EventStore,
  q: EventQuery,
  since: number,
  maxCount: number,
  maxBytes: number,
  render: (e: SwarmEvent) => T,
): Page<T> {
  const items: T[] = []
  let bytes = 0
  let lastId = since
  let chunk = FIRST_CHUNK
  while (items.length < maxCount) {
    const want = Math.min(chunk, maxCount - items.length)
    chunk = grow(chunk)
    const rows = store.query({ ...q, afterId: lastId, limit: want })
    for (const row of rows) {
      const item = render(row)
      bytes += sizeOf(item)
      if (bytes > maxBytes && items.length > 0) return { items, lastId, more: true }
      items.push(item)
      lastId = row.id
    }
    if (rows.length < want) return { items, lastId, more: false }
  }
  // The count cap was reached; one more read tells whether anything follows.
  return { items, lastId, more: store.query({ ...q, afterId: lastId, limit: 1 }).length > 0 }
}
