/** What pausing or resuming a swarm did; `changed` is false when it already was in that state. */
export interface PauseOutcome {
  swarm: string
  status: 'paused' | 'running'
  changed: boolean
}

/**
 * A swarm's pause switch. Paused, its agents take nothing new from their
 * inboxes (tasks and messages still queue there, under the same limits);
 * a turn in progress finishes. Resuming wakes every agent, which then works
 * through its inbox in arrival order.
 */
export class PauseGate {
  #paused = false

  get paused(): boolean {
    return this.#paused
  }

  /** Flips the switch; true when it changed. */
  set(paused: boolean): boolean {
    if (this.#paused === paused) return false
    this.#paused = paused
    return true
  }
}
