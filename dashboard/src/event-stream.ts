import { appendCapped, clear, h, time } from './dom.js'
import type { SwarmEvent } from './types.js'

const LEVELS = ['debug', 'info', 'warning', 'error']
const CATEGORIES = ['swarm', 'agent', 'object', 'routing', 'backend', 'system']
const KEEP = 1000

/**
 * Every stored event of the swarm, filtered here by level (at least), category
 * and agent. The page holds one unfiltered `subscribe_events` subscription and
 * filters locally, so changing a filter shows the history at once.
 */
export class EventStream {
  readonly el: HTMLElement
  readonly #list = h('div', { class: 'scroll', id: 'events' })
  readonly #events: SwarmEvent[] = []
  readonly #level = select('level', ['', ...LEVELS], 'info')
  readonly #category = select('category', ['', ...CATEGORIES], '')
  readonly #agent = select('agent', [''], '')

  constructor() {
    for (const s of [this.#level, this.#category, this.#agent]) s.addEventListener('change', () => this.#render())
    this.el = h('div', {}, h('form', { class: 'inline', id: 'event-filters' },
      h('label', {}, 'level ≥ ', this.#level), h('label', {}, 'category ', this.#category), h('label', {}, 'agent ', this.#agent)), this.#list)
  }

  setAgents(names: string[]): void {
    const chosen = this.#agent.value
    clear(this.#agent)
    for (const n of ['', ...names]) this.#agent.append(h('option', { value: n }, n || 'any'))
    this.#agent.value = names.includes(chosen) ? chosen : ''
  }

  event(e: SwarmEvent): void {
    this.#events.push(e)
    if (this.#events.length > KEEP) this.#events.shift()
    if (this.#matches(e)) appendCapped(this.#list, item(e), KEEP)
  }

  #matches(e: SwarmEvent): boolean {
    const level = this.#level.value
    return (!level || LEVELS.indexOf(e.level) >= LEVELS.indexOf(level)) &&
      (!this.#category.value || e.category === this.#category.value) &&
      (!this.#agent.value || e.agent === this.#agent.value)
  }

  #render(): void {
    clear(this.#list)
    for (const e of this.#events) if (this.#matches(e)) this.#list.append(item(e))
    this.#list.scrollTop = this.#list.scrollHeight
  }
}

function item(e: SwarmEvent): HTMLElement {
  return h('div', { class: `event-item level-${e.level}`, 'data-event-type': e.event_type },
    h('span', { class: 'meta' }, `#${e.id} ${time(e.timestamp)} ${e.level} ${e.category ?? ''} ${e.event_type}${e.agent ? ` [${e.agent}]` : ''} `), e.message)
}

function select(name: string, values: string[], chosen: string): HTMLSelectElement {
  const s = h('select', { name })
  for (const v of values) s.append(h('option', { value: v }, v || 'any'))
  s.value = chosen
  return s
}
