import type { Channel } from 'phoenix'
import { api, swarmPath } from './api.js'
import { attempt, clear, h } from './dom.js'

/**
 * The forms that act on one swarm: send a task (over the socket, as any
 * client would), scale a group, add a mock agent, remove an agent.
 */
export class Controls {
  readonly taskForm: HTMLFormElement
  readonly mutationForms: HTMLElement
  readonly #agentSelects: HTMLSelectElement[] = []
  readonly #result = h('span', { class: 'meta', id: 'task-result' })
  #channel: Channel | null = null

  constructor(private readonly swarm: string, private readonly changed: () => void) {
    const agent = this.#select('agent')
    const task = h('textarea', { name: 'task', placeholder: 'What should the agent do?' })
    this.taskForm = h('form', { id: 'task-form' }, h('div', { class: 'inline' }, h('label', {}, 'to ', agent)), task,
      h('div', { class: 'inline' }, h('button', { type: 'submit' }, 'Send task'), this.#result))
    this.taskForm.addEventListener('submit', (e) => {
      e.preventDefault()
      if (!this.#channel) return
      this.#result.textContent = 'sending…'
      this.#channel.push('send_task', { agent: agent.value, task: task.value })
        .receive('ok', () => {
          this.#result.textContent = `sent to ${agent.value}`
          task.value = ''
        })
        .receive('error', (r: { reason?: string; code?: string }) => { this.#result.textContent = `refused: ${r.reason ?? ''} ${r.code ?? ''}` })
        .receive('timeout', () => { this.#result.textContent = 'no answer yet (reconnecting?)' })
    })

    const base = this.#select('base')
    const count = h('input', { type: 'number', name: 'count', min: 0, max: 100, value: 2, style: 'width: 5em' })
    const scale = h('form', { class: 'inline', id: 'scale-form' }, h('label', {}, 'scale ', base), h('label', {}, ' to ', count), h('button', { type: 'submit' }, 'Scale'))
    scale.addEventListener('submit', (e) => {
      e.preventDefault()
      void this.#act(() => api('POST', `${swarmPath(swarm)}/agents/${encodeURIComponent(base.value)}/scale`, { count: Number(count.value) }))
    })

    const name = h('input', { name: 'name', placeholder: 'new agent', size: 12, required: true })
    const from = h('input', { name: 'incoming', placeholder: 'messages from (a, b)', size: 18 })
    const to = h('input', { name: 'connections', placeholder: 'sends to (a, b)', size: 18 })
    const add = h('form', { class: 'inline', id: 'add-form' }, name, from, to, h('button', { type: 'submit' }, 'Add mock agent'))
    add.addEventListener('submit', (e) => {
      e.preventDefault()
      void this.#act(() => api('POST', `${swarmPath(swarm)}/agents`, { name: name.value.trim(), backend: 'mock', incoming: list(from.value), connections: list(to.value) }))
    })

    const victim = this.#select('remove')
    const remove = h('form', { class: 'inline', id: 'remove-form' }, h('label', {}, 'remove ', victim), h('button', { type: 'submit' }, 'Remove agent'))
    remove.addEventListener('submit', (e) => {
      e.preventDefault()
      if (!window.confirm(`Remove agent ${victim.value}?`)) return
      void this.#act(() => api('DELETE', `${swarmPath(swarm)}/agents/${encodeURIComponent(victim.value)}`))
    })
    this.mutationForms = h('div', {}, scale, add, remove)
  }

  setChannel(channel: Channel): void {
    this.#channel = channel
  }

  setAgents(names: string[]): void {
    for (const s of this.#agentSelects) {
      const chosen = s.value
      clear(s)
      for (const n of names) s.append(h('option', { value: n }, n))
      if (names.includes(chosen)) s.value = chosen
    }
  }

  #select(name: string): HTMLSelectElement {
    const s = h('select', { name })
    this.#agentSelects.push(s)
    return s
  }

  async #act(action: () => Promise<unknown>): Promise<void> {
    await attempt(action)
    this.changed()
  }
}

function list(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean)
}
