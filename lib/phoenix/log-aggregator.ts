import type { Logger } from './types.js'

interface Kind {
  lastLineAt: number
  suppressed: number
  msg: string
  obj: object
}

/**
 * Warnings a client can trigger once per frame (malformed frames, binary
 * frames, refused joins) would let one client write the server's log at the
 * rate it sends. Per socket and per kind, the first one is logged as it
 * comes; later ones are counted and logged as one line carrying the count
 * (`repeated`) once `intervalMs` has passed since the last line, and when the
 * socket closes.
 */
export class WarningAggregator {
  readonly #logger: Logger
  readonly #intervalMs: number
  readonly #kinds = new Map<string, Kind>()

  constructor(logger: Logger, intervalMs: number) {
    this.#logger = logger
    this.#intervalMs = intervalMs
  }

  warn(kind: string, obj: object, msg: string): void {
    const now = Date.now()
    const seen = this.#kinds.get(kind)
    if (!seen) {
      this.#kinds.set(kind, { lastLineAt: now, suppressed: 0, msg, obj })
      this.#logger.warn(obj, msg)
      return
    }
    seen.suppressed += 1
    seen.msg = msg
    seen.obj = obj
    if (now - seen.lastLineAt >= this.#intervalMs) this.#summarize(seen, now)
  }

  /** Logs what is still counted; called once the socket is closed. */
  flush(): void {
    const now = Date.now()
    for (const kind of this.#kinds.values()) if (kind.suppressed > 0) this.#summarize(kind, now)
  }

  #summarize(kind: Kind, now: number): void {
    this.#logger.warn({ ...kind.obj, repeated: kind.suppressed, sinceMs: now - kind.lastLineAt }, `${kind.msg} (repeated)`)
    kind.suppressed = 0
    kind.lastLineAt = now
  }
}

const MAX_LOGGED_NAME = 100

/** Topics and events are client text of any length; a log line gets their start. */
export function clip(name: string | undefined): string | undefined {
  return name === undefined || name.length <= MAX_LOGGED_NAME ? name : `${name.slice(0, MAX_LOGGED_NAME)}…`
}
