/** What the `tick` object needs from its swarm. */
export interface TickHost {
  isPaused(): boolean
  /** routes `content` from `tick` to each node `tick` has an edge to; false when there is none */
  tick(content: string): void
}

/**
 * The `tick` system object: every `tick_ms`, `{"tick": n}` from `tick`.
 * While the swarm is paused the interval keeps running but nothing is sent
 * and n does not advance, so the first tick after a resume is the next number.
 */
export class Ticker {
  readonly #ms: number
  readonly #host: TickHost
  #timer: NodeJS.Timeout | null = null
  #n = 0

  constructor(ms: number, host: TickHost) {
    this.#ms = ms
    this.#host = host
  }

  get count(): number {
    return this.#n
  }

  start(): void {
    if (this.#timer) return
    this.#timer = setInterval(() => this.#fire(), this.#ms)
    // A swarm's own stop clears it; it must not hold a process open on its own.
    this.#timer.unref()
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }

  #fire(): void {
    if (this.#host.isPaused()) return
    this.#n += 1
    this.#host.tick(JSON.stringify({ tick: this.#n }))
  }
}
