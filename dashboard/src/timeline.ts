import { appendCapped, h, time } from './dom.js'
import type { SwarmEvent } from './types.js'

/**
 * The conversation: tasks, outputs and routed messages, from stored events
 * (so a reconnect fills in what was missed), and an agent's streamed answer
 * as it arrives, replaced by its output when the turn ends.
 */
export class Timeline {
  readonly el = h('div', { class: 'scroll', id: 'timeline' })
  readonly #streaming = new Map<string, HTMLElement>()

  event(e: SwarmEvent): void {
    switch (e.event_type) {
      case 'task_sent':
        return this.#add(e, 'task', `task → ${e.agent}`, String(e.metadata.task ?? e.message))
      case 'agent_output': {
        this.#streaming.get(e.agent ?? '')?.remove()
        this.#streaming.delete(e.agent ?? '')
        return this.#add(e, 'output', e.agent ?? '', e.message)
      }
      case 'message_routed':
      case 'message_broadcast': {
        const m = e.metadata
        const to = Array.isArray(m.to) ? m.to.join(', ') : String(m.to ?? '')
        return this.#add(e, 'routed', `${m.from} → ${to}${m.type && m.type !== 'direct' ? ` (${m.type})` : ''}`, String(m.content_preview ?? ''))
      }
      case 'agent_error':
      case 'task_failed':
        return this.#add(e, 'error', `${e.agent ?? ''} ${e.event_type}`, e.message)
    }
  }

  delta(agent: string, delta: string): void {
    let item = this.#streaming.get(agent)
    if (!item) {
      item = h('div', { class: 'timeline-item streaming', 'data-agent': agent }, h('span', { class: 'who' }, `${agent} (streaming) `), h('span', { class: 'text' }))
      this.#streaming.set(agent, item)
      appendCapped(this.el, item)
    }
    item.querySelector('.text')!.append(delta)
    // A count anyone (a test, a curious user) can read after the streamed text is replaced.
    this.el.dataset.deltas = String(Number(this.el.dataset.deltas ?? 0) + 1)
  }

  #add(e: SwarmEvent, kind: string, who: string, text: string): void {
    appendCapped(this.el, h('div', { class: `timeline-item ${kind}`, 'data-event-id': e.id, 'data-kind': kind },
      h('span', { class: 'meta' }, `${time(e.timestamp)} `), h('span', { class: 'who' }, who), ': ', h('span', { class: 'text' }, text)))
  }
}
