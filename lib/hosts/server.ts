import type { SwarmConfig } from '../config/types.js'
import type { OverlayEntry } from '../db/registry.js'
import { errors } from '../errors.js'
import { compile } from '../operations/check.js'
import { routed } from '../operations/results.js'
import type { ObjectStatus } from '../objects/types.js'
import type { MetricsSnapshot } from '../objects/system/metrics.js'
import type { MessageInput, MutationInput, RoutedResult, SendTaskInput, SendTaskResult } from '../operations/types.js'
import type { PauseOutcome } from '../swarm/pause.js'
import type { AgentSkill } from '../skills/agent-skills.js'
import type { AgentStatus, HistoryEntry, RoutingData } from '../swarm/types.js'
import { ServerClient, type HttpAnswer } from './server-client.js'
import type { HostStatus, Mutated, RestartOptions, RestartOutcome, SwarmHost } from './types.js'

const checkRouted = compile<RoutedResult>(routed)

/**
 * A swarm reached through a running server's REST API: what the CLI uses for
 * a swarm that runs inside `genswarms up` (signalling that pid would stop the
 * whole server), and for tasks whenever a server answers. The server locates
 * the swarm again on its side.
 */
export class ServerHost implements SwarmHost {
  readonly kind = 'server'
  readonly running = true
  readonly name: string
  readonly #server: ServerClient
  readonly #path: string

  constructor(name: string, server: ServerClient) {
    this.name = name
    this.#server = server
    this.#path = `/api/swarms/${encodeURIComponent(name)}`
  }

  get url(): string {
    return this.#server.url
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer: HttpAnswer<T> = await this.#server.request<T>(method, `${this.#path}${path}`, body)
    if (answer.status >= 400) throw errors.serverError(ServerClient.errorText(answer))
    return answer.body
  }

  async sendTask(input: SendTaskInput): Promise<SendTaskResult> {
    const response = await this.#call<Record<string, unknown>>('POST', `/agents/${encodeURIComponent(input.agent)}/task`, { task: input.task })
    return { delivery: 'server', url: this.url, response }
  }

  async sendMessage(input: MessageInput): Promise<RoutedResult> {
    const checked = checkRouted(await this.#call<unknown>('POST', '/message', input))
    if (!checked.ok) throw errors.serverError(`the server at ${this.url} answered a message with ${checked.refusal.field ?? 'a value'} that ${checked.refusal.message}`)
    return checked.value
  }

  async mutate(mutation: MutationInput): Promise<Mutated> {
    switch (mutation.op) {
      case 'add_agent':
        return (await this.#call<{ result: Mutated }>('POST', '/agents', { ...mutation.spec, connections: mutation.connections, incoming: mutation.incoming })).result
      case 'remove_agent':
        return (await this.#call<{ result: Mutated }>('DELETE', `/agents/${encodeURIComponent(mutation.name)}`)).result
      case 'topology':
        return (await this.#call<{ result: Mutated }>('PATCH', '/topology', { add: mutation.add, remove: mutation.remove })).result
      case 'scale':
        return (await this.#call<{ result: Mutated }>('POST', `/agents/${encodeURIComponent(mutation.base)}/scale`, { count: mutation.count })).result
      case 'add_object':
        return (await this.#call<{ result: Mutated }>('POST', '/objects', { ...mutation.spec, connections: mutation.connections, incoming: mutation.incoming })).result
      case 'remove_object':
        return (await this.#call<{ result: Mutated }>('DELETE', `/objects/${encodeURIComponent(mutation.name)}`)).result
      case 'configure_object':
        return (await this.#call<{ result: Mutated }>('PATCH', `/objects/${encodeURIComponent(mutation.name)}/config`, mutation.config)).result
      case 'set_skill':
        return (await this.#call<{ result: Mutated }>('PUT', `/agents/${encodeURIComponent(mutation.agent)}/skills/${mutation.skill.split('/').map(encodeURIComponent).join('/')}`, { content: mutation.content })).result
    }
  }

  async agentSkills(agent: string): Promise<AgentSkill[]> {
    return (await this.#call<{ skills: AgentSkill[] }>('GET', `/agents/${encodeURIComponent(agent)}/skills`)).skills
  }

  pause(): Promise<PauseOutcome> {
    return this.#call<PauseOutcome>('POST', '/pause')
  }

  resume(): Promise<PauseOutcome> {
    return this.#call<PauseOutcome>('POST', '/resume')
  }

  status(): Promise<HostStatus> {
    return this.#call<HostStatus>('GET', '')
  }

  async effectiveConfig(): Promise<SwarmConfig> {
    return (await this.#call<{ config: SwarmConfig }>('POST', '/snapshot?format=json')).config
  }

  async overlay(): Promise<OverlayEntry[]> {
    return (await this.#call<{ overlay: OverlayEntry[] }>('GET', '/overlay')).overlay
  }

  async clearOverlay(): Promise<number> {
    return (await this.#call<{ removed: number }>('DELETE', '/overlay')).removed
  }

  async restartAgent(agent: string): Promise<AgentStatus> {
    return (await this.#call<{ agent: AgentStatus }>('POST', `/agents/${encodeURIComponent(agent)}/restart`)).agent
  }

  async objects(): Promise<ObjectStatus[]> {
    return (await this.#call<{ objects: ObjectStatus[] }>('GET', '/objects')).objects
  }

  async metrics(): Promise<MetricsSnapshot> {
    return this.#call<MetricsSnapshot>('GET', '/metrics')
  }

  async history(agent: string, limit: number): Promise<HistoryEntry[]> {
    return (await this.#call<{ history: HistoryEntry[] }>('GET', `/agents/${encodeURIComponent(agent)}/history?limit=${limit}`)).history
  }

  async messages(limit: number): Promise<RoutingData[]> {
    return (await this.#call<{ messages: RoutingData[] }>('GET', `/messages?limit=${limit}`)).messages
  }

  async stop(): Promise<void> {
    await this.#call('DELETE', '')
  }

  /** Where the server decides: it restarts the swarm where it ran. */
  async restart(opts: RestartOptions): Promise<RestartOutcome> {
    const answer = await this.#call<{ source: 'in_process' | 'daemon'; agents: string[]; failed: { agent: string; reason: string }[]; pid?: number; log_path?: string }>(
      'POST', `/restart?delete=${opts.clean === true}`,
    )
    const { source, agents, failed, pid, log_path } = answer
    if (source === 'daemon' && pid !== undefined && log_path !== undefined) return { host: 'daemon', agents, failed: [], pid, log_path }
    return { host: 'in_process', agents, failed }
  }
}
