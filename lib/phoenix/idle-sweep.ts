/** What the sweep asks of a socket: when it last heard from its client, and to close it. */
export interface IdleWatched {
  /** Date.now() of the last frame received (or of the open) */
  readonly lastHeardAt: number
  idleExpired(): void
}

/** How often a sweep looks, as a share of its timeout: a silent socket is closed between 1 and 1.1 timeouts after its last frame. */
const CHECKS_PER_TIMEOUT = 10

/**
 * The idle timeout of every socket with the same timeout, kept by one timer
 * instead of one per socket: a timer per socket costs memory for each of
 * thousands of idle sockets and a refresh on each frame, where this costs a
 * number set per frame and one pass over the sockets every tenth of the
 * timeout. The timer runs only while sockets are watched, and never keeps
 * the process alive.
 */
class IdleSweep {
  readonly #timeoutMs: number
  readonly #watched = new Set<IdleWatched>()
  #timer: NodeJS.Timeout | null = null

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs
  }

  add(socket: IdleWatched): void {
    this.#watched.add(socket)
    if (this.#timer) return
    this.#timer = setInterval(sweep, Math.max(1, Math.floor(this.#timeoutMs / CHECKS_PER_TIMEOUT)), this)
    this.#timer.unref()
  }

  delete(socket: IdleWatched): void {
    this.#watched.delete(socket)
    if (this.#watched.size > 0 || !this.#timer) return
    clearInterval(this.#timer)
    this.#timer = null
  }

  sweep(): void {
    const deadline = Date.now() - this.#timeoutMs
    for (const socket of this.#watched) {
      if (socket.lastHeardAt > deadline) continue
      // Expiring closes the socket, which deletes it from the set: a Set iterator survives that.
      this.delete(socket)
      socket.idleExpired()
    }
  }
}

function sweep(s: IdleSweep): void {
  s.sweep()
}

const sweeps = new Map<number, IdleSweep>()

/** The sweep for sockets with this idle timeout. */
export function idleSweep(timeoutMs: number): IdleSweep {
  let s = sweeps.get(timeoutMs)
  if (!s) {
    s = new IdleSweep(timeoutMs)
    sweeps.set(timeoutMs, s)
  }
  return s
}

export type { IdleSweep }
