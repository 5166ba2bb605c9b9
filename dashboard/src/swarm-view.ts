import type { Channel, Socket } from 'phoenix'
import { api, swarmPath } from './api.js'
import { subscribeFrom } from './catch-up.js'
import { Controls } from './controls.js'
import { clear, h, notice } from './dom.js'
import { EventStream } from './event-stream.js'
import { STATE_COLOURS, TopologyGraph } from './graph.js'
import { LogTail } from './log-tail.js'
import { Timeline } from './timeline.js'
import type { Routing, SwarmEvent } from './types.js'

interface AgentStatus { name: string; state: string; backend: string; model: string | null; inbox?: number; tokens?: { prompt_tokens: number; completion_tokens: number; total_tokens: number; turns?: number } }
interface SwarmStatus {
  name: string; status: string; source: string
  agents: AgentStatus[]
  objects: { name: string; status?: string }[]
  topology: { from: string; targets: string[] }[]
  tokens?: { total_tokens: number }
}

/** Exposed for tests and the curious: the graph of the swarm on screen. */
declare global {
  interface Window { genswarmsDashboard?: { graph: TopologyGraph | null; swarm: string | null } }
}

/**
 * One swarm, live. Its channel carries state and routing as pushes (for the
 * graph) and, through one `subscribe_events` subscription resumed with
 * `since` after every rejoin, the stored events the timeline and the event
 * stream are built from: a reconnect loses none of them.
 */
export class SwarmView {
  readonly #graph: TopologyGraph
  readonly #timeline = new Timeline()
  readonly #events = new EventStream()
  readonly #logs = new LogTail()
  readonly #controls: Controls
  readonly #channel: Channel
  readonly #statusLine = h('span', { id: 'swarm-status' })
  readonly #tokens = h('tbody', { id: 'token-rows' })
  #lastEventId: number | null = null
  #refreshing: ReturnType<typeof setTimeout> | null = null
  #stopped = false

  constructor(main: HTMLElement, socket: Socket, private readonly name: string) {
    const graphBox = h('div', { id: 'graph' })
    this.#controls = new Controls(name, () => this.#refreshSoon())
    const legend = h('div', { class: 'legend meta' },
      ...['idle', 'working', 'initializing', 'error', 'stopped'].map((s) => h('span', {}, legendDot(STATE_COLOURS[s]!), s)))
    main.replaceChildren(
      h('section', { class: 'panel' }, h('h2', {}, name, ' ', this.#statusLine)),
      h('div', { class: 'grid' },
        h('div', {},
          h('section', { class: 'panel' }, h('h2', {}, 'Topology'), graphBox, legend),
          h('section', { class: 'panel' }, h('h2', {}, 'Conversation'), this.#timeline.el),
          h('section', { class: 'panel' }, h('h2', {}, 'Events'), this.#events.el)),
        h('div', {},
          h('section', { class: 'panel' }, h('h2', {}, 'Send a task'), this.#controls.taskForm),
          h('section', { class: 'panel' }, h('h2', {}, 'Agents'), this.#controls.mutationForms),
          h('section', { class: 'panel' }, h('h2', {}, 'Token usage'),
            h('table', {}, h('thead', {}, h('tr', {}, ...['agent', 'state', 'prompt', 'completion', 'total', 'turns'].map((c) => h('th', {}, c)))), this.#tokens)),
          h('section', { class: 'panel' }, h('h2', {}, 'Log tail'), this.#logs.el))),
    )
    this.#graph = new TopologyGraph(graphBox)
    window.genswarmsDashboard = { graph: this.#graph, swarm: name }

    this.#channel = socket.channel(`swarm:${name}`, {})
    this.#controls.setChannel(this.#channel)
    this.#listen(this.#channel)
    this.#channel.join()
      .receive('ok', () => {
        // Every rejoin after a reconnect lands here too: catch up from the last event seen.
        notice(null)
        this.#subscribeEvents()
        this.#logs.joined(this.#channel)
        void this.refresh()
      })
      .receive('error', (r: { reason?: string }) => notice(`cannot join swarm:${name}: ${r?.reason ?? 'refused'}`))
    void this.refresh()
  }

  stop(): void {
    this.#stopped = true
    if (this.#refreshing) clearTimeout(this.#refreshing)
    this.#channel.leave()
    this.#graph.destroy()
    window.genswarmsDashboard = { graph: null, swarm: null }
  }

  async refresh(): Promise<void> {
    let status: SwarmStatus
    try {
      status = await api<SwarmStatus>('GET', swarmPath(this.name))
    } catch (err) {
      notice((err as Error).message)
      return
    }
    if (this.#stopped) return
    this.#statusLine.className = `status-${status.status}`
    this.#statusLine.textContent = `${status.status} · ${status.source === 'daemon' ? 'daemon' : 'in process'} · ${status.agents.length} agents`
    const names = status.agents.map((a) => a.name)
    this.#controls.setAgents(names)
    this.#events.setAgents([...names, ...status.objects.map((o) => o.name)])
    this.#logs.setAgents(names)
    this.#graph.setTopology(
      [...status.agents.map((a) => ({ id: a.name, kind: 'agent' as const, state: a.state })),
        ...status.objects.map((o) => ({ id: o.name, kind: 'object' as const, state: o.status ?? 'running' }))],
      status.topology.flatMap((t) => t.targets.map((to) => ({ from: t.from, to }))),
    )
    clear(this.#tokens)
    for (const a of status.agents) {
      const t = a.tokens
      this.#tokens.append(h('tr', { 'data-agent': a.name }, h('td', {}, a.name), h('td', {}, a.state),
        ...(t ? [t.prompt_tokens, t.completion_tokens, t.total_tokens, t.turns ?? ''] : ['–', '–', '–', '–']).map((v) => h('td', {}, String(v)))))
    }
  }

  #refreshSoon(): void {
    if (this.#refreshing || this.#stopped) return
    this.#refreshing = setTimeout(() => {
      this.#refreshing = null
      void this.refresh()
    }, 150)
  }

  #listen(channel: Channel): void {
    channel.on('agent_status', ({ agent, state }: { agent: string; state: string }) => this.#graph.setState(agent, state))
    const route = (m: Routing) => {
      for (const to of Array.isArray(m.to) ? m.to : [m.to]) this.#graph.routed(m.from, to)
    }
    channel.on('message_routed', route)
    channel.on('message_broadcast', route)
    channel.on('agent_output_delta', ({ agent, delta }: { agent: string; delta: string }) => this.#timeline.delta(agent, delta))
    for (const e of ['agent_added', 'agent_removed', 'topology_changed', 'swarm_started', 'swarm_stopped', 'swarm_paused', 'swarm_resumed']) {
      channel.on(e, () => this.#refreshSoon())
    }
    channel.on('event', (e: SwarmEvent) => this.#event(e))
    channel.on('log_entry', (e: SwarmEvent) => this.#logs.entry(e))
  }

  #subscribeEvents(): void {
    subscribeFrom(this.#channel, 'subscribe_events', { filters: {} }, this.#lastEventId, (events) => {
      for (const e of events as SwarmEvent[]) this.#event(e)
    }, (reason) => notice(`event subscription refused: ${reason}`))
  }

  #event(e: SwarmEvent): void {
    if (this.#lastEventId !== null && e.id <= this.#lastEventId) return
    this.#lastEventId = e.id
    this.#timeline.event(e)
    this.#events.event(e)
    if (e.event_type === 'agent_usage') this.#refreshSoon()
  }
}

function legendDot(colour: string): HTMLElement {
  const i = h('i')
  i.style.background = colour
  return i
}
