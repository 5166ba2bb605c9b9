import type { EventInput } from '../../events/types.js'
import { gatewayMessage } from './gateway.js'
import { SwarmMetrics } from './metrics.js'
import { Ticker, type TickHost } from './tick.js'

export type { MetricsSnapshot } from './metrics.js'

/** What the system objects need from their swarm. */
export interface SystemHost extends TickHost {
  emit(event: Omit<EventInput, 'swarm'>): void
}

/**
 * `metrics`, `tick` and `gateway`, the objects every swarm has without
 * declaring them (docs/objects.md, "System objects"). The swarm shows this
 * every event it emits and every delivery to a system object.
 */
export class SystemObjects {
  readonly metrics: SwarmMetrics
  readonly #ticker: Ticker | null
  readonly #host: SystemHost

  constructor(swarm: string, host: SystemHost, tickMs?: number) {
    this.metrics = new SwarmMetrics(swarm)
    this.#host = host
    this.#ticker = tickMs ? new Ticker(tickMs, host) : null
  }

  start(): void {
    this.#ticker?.start()
  }

  stop(): void {
    this.#ticker?.stop()
  }

  observe(event: Omit<EventInput, 'swarm'>): void {
    this.metrics.observe(event)
  }

  /** After the swarm recorded the delivery: what the object itself does with it. */
  delivered(from: string, to: string, content: string): void {
    if (to === 'metrics') this.metrics.report(from, content)
    else if (to === 'gateway') this.#host.emit(gatewayMessage(from, content))
  }
}
