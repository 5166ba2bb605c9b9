import type { Channel } from 'phoenix'
import { subscribeFrom } from './catch-up.js'
import { appendCapped, clear, h, time } from './dom.js'

interface LogEntry { id: number; timestamp: string; level: string; agent: string | null; event_type: string; message: string }

/** One agent's log (`subscribe_logs`), or every agent's; resumes from its last id after a reconnect. */
export class LogTail {
  readonly el: HTMLElement
  readonly #list = h('div', { class: 'scroll', id: 'logs' })
  readonly #agent = h('select', { name: 'log-agent' })
  #channel: Channel | null = null
  #subscribed: string | null | undefined = undefined
  #lastId: number | null = null

  constructor() {
    this.#agent.append(h('option', { value: '' }, 'every agent'))
    this.#agent.addEventListener('change', () => this.#switch())
    this.el = h('div', {}, h('form', { class: 'inline' }, h('label', {}, 'agent ', this.#agent)), this.#list)
  }

  setAgents(names: string[]): void {
    const chosen = this.#agent.value
    clear(this.#agent)
    this.#agent.append(h('option', { value: '' }, 'every agent'))
    for (const n of names) this.#agent.append(h('option', { value: n }, n))
    this.#agent.value = names.includes(chosen) ? chosen : ''
    if (this.#agent.value !== chosen) this.#switch()
  }

  /** After every (re)join: the server forgot the subscription, the page did not. */
  joined(channel: Channel): void {
    this.#channel = channel
    this.#subscribe(this.#lastId)
  }

  entry(e: LogEntry): void {
    if (this.#lastId !== null && e.id <= this.#lastId) return
    const wanted = this.#agent.value || null
    if (wanted !== null && e.agent !== wanted) return
    this.#lastId = e.id
    appendCapped(this.#list, h('div', { class: `log-item level-${e.level}` },
      h('span', { class: 'meta' }, `${time(e.timestamp)} ${e.level} ${e.agent ?? '-'} ${e.event_type} `), e.message))
  }

  #switch(): void {
    if (this.#channel && this.#subscribed !== undefined) this.#channel.push('unsubscribe_logs', this.#subscribed === null ? {} : { agent: this.#subscribed })
    clear(this.#list)
    this.#lastId = null
    this.#subscribe(null)
  }

  #subscribe(since: number | null): void {
    const channel = this.#channel
    if (!channel) return
    const agent = this.#agent.value || null
    this.#subscribed = agent
    subscribeFrom(channel, 'subscribe_logs', { agent }, since, (entries) => {
      for (const e of entries as LogEntry[]) this.entry(e)
    }, (reason) => this.#list.append(h('div', { class: 'error-text' }, `log subscription refused: ${reason}`)))
  }
}
