import { api, swarmPath } from './api.js'
import { attempt, clear, h, notice, time } from './dom.js'

interface SwarmRow {
  name: string
  status: string
  source: string
  pid: number | null
  agents: number
  started_at: string | null
}

const REFRESH_MS = 2000

/**
 * Every swarm the server knows, in process and daemons alike. The list is
 * re-read every two seconds: swarms come and go in other processes, and no
 * channel announces a swarm nobody has joined yet.
 */
export class SwarmList {
  readonly #body = h('tbody', { id: 'swarm-rows' })
  readonly #timer: ReturnType<typeof setInterval>
  #stopped = false

  constructor(main: HTMLElement) {
    const path = h('input', { name: 'config_path', placeholder: 'examples/research-swarm.yaml', size: 40, required: true })
    const form = h('form', { class: 'inline', id: 'start-form' }, h('label', {}, 'Config path ', path), h('button', { type: 'submit' }, 'Start'))
    form.addEventListener('submit', (e) => {
      e.preventDefault()
      void this.#act(async () => {
        const res = await api('POST', '/api/swarms', { config_path: path.value.trim() })
        path.value = ''
        const failed = res.failed?.length ? ` (failed: ${res.failed.map((f: any) => f.agent ?? f.name ?? f).join(', ')})` : ''
        notice(`started ${res.swarm_name}${failed}`, 'info')
      })
    })
    main.replaceChildren(
      h('section', { class: 'panel' },
        h('h2', {}, 'Swarms'),
        h('table', {}, h('thead', {}, h('tr', {}, ...['name', 'status', 'source', 'agents', 'pid', 'started', ''].map((c) => h('th', {}, c)))), this.#body)),
      h('section', { class: 'panel' }, h('h2', {}, 'Start a swarm'), form,
        h('p', { class: 'meta' }, 'A .json, .yaml or .yml file inside the server\'s working directory; it runs in the server\'s process.')),
    )
    this.#timer = setInterval(() => void this.refresh(), REFRESH_MS)
    void this.refresh()
  }

  stop(): void {
    this.#stopped = true
    clearInterval(this.#timer)
  }

  async refresh(): Promise<void> {
    let swarms: SwarmRow[]
    try {
      swarms = (await api<{ swarms: SwarmRow[] }>('GET', '/api/swarms')).swarms
    } catch {
      return // the connection badge and the next refresh tell the rest
    }
    if (this.#stopped) return
    clear(this.#body)
    if (swarms.length === 0) this.#body.append(h('tr', {}, h('td', { colspan: 7, class: 'meta' }, 'No swarms yet: start one below, or with `genswarms start`.')))
    for (const s of swarms) this.#body.append(this.#row(s))
  }

  #row(s: SwarmRow): HTMLTableRowElement {
    const live = s.status === 'running' || s.status === 'paused'
    const path = swarmPath(s.name)
    return h('tr', { 'data-swarm': s.name },
      h('td', {}, h('a', { href: `#/swarm/${encodeURIComponent(s.name)}`, class: 'open-swarm' }, s.name)),
      h('td', { class: `status-${s.status}` }, s.status),
      h('td', {}, s.source === 'daemon' ? 'daemon' : 'in process'),
      h('td', {}, String(s.agents)),
      h('td', {}, s.pid === null ? '' : String(s.pid)),
      h('td', {}, time(s.started_at ?? undefined)),
      h('td', {},
        live ? h('button', { onclick: () => void this.#act(() => api('DELETE', path)) }, 'Stop') : null, ' ',
        h('button', { onclick: () => void this.#act(() => api('POST', `${path}/restart`)) }, live ? 'Restart' : 'Start again'), ' ',
        h('button', {
          onclick: () => {
            if (!window.confirm(`Remove ${s.name}: stop it and delete its events, queues and overlay?`)) return
            void this.#act(async () => {
              if (live) await api('DELETE', path)
              await api('DELETE', `${path}?purge=true`)
            })
          },
        }, 'Remove')),
    )
  }

  async #act(action: () => Promise<unknown>): Promise<void> {
    await attempt(action)
    await this.refresh()
  }
}
