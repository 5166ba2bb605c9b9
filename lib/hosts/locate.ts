import type { SwarmRecord } from '../db/registry.js'
import { GenswarmsError, errors } from '../errors.js'
import { DaemonHost } from './daemon.js'
import { InProcessHost } from './in-process.js'
import { ServerHost } from './server.js'
import type { ServerClient } from './server-client.js'
import type { LocalReach, SwarmHost } from './types.js'

/**
 * What the CLI can reach besides the database: a server that may answer, and
 * the one `genswarms up` recorded (null when none did). The database is
 * opened only if the server does not settle the question.
 */
export interface ClientReach {
  local(): LocalReach
  server: ServerClient
  recordedServer: { pid: number; url: string } | null
  /**
   * 'owner' (default): the server only for swarms that run inside it.
   * 'any': the server whenever it answers, since it reaches every host itself
   * (a task sent this way is queued by the server for a daemon).
   * 'queue': never the server; the database queue only.
   */
  via?: 'owner' | 'any' | 'queue'
  /** refuse a swarm whose row is not running, naming its status */
  needRunning?: boolean
}

/**
 * Where `name` runs, as a SwarmHost: the one place that answers that
 * question. In this process if the manager has it; otherwise its registry row
 * decides: a swarm another process runs (a daemon, or a server: both read the
 * queues of the swarms they run) is reached through the database queues, and
 * a stopped one is answered from the row. The CLI passes a ClientReach, which
 * adds the server over HTTP.
 */
export function locate(name: string, reach: LocalReach): SwarmHost
export function locate(name: string, reach: ClientReach): Promise<SwarmHost>
export function locate(name: string, reach: LocalReach | ClientReach): SwarmHost | Promise<SwarmHost> {
  return 'server' in reach ? locateForClient(name, reach) : locateHere(name, reach)
}

/** Whether this process can name the swarm at all: running here, or any registry row. */
export function isKnown(name: string, reach: LocalReach): boolean {
  return reach.manager.has(name) || reach.registry.get(name) !== null
}

function locateHere(name: string, reach: LocalReach): SwarmHost {
  if (reach.manager.has(name)) return new InProcessHost(name, reach)
  const record = reach.registry.get(name)
  if (!record) throw errors.swarmNotFound(name)
  return new DaemonHost(record, reach)
}

async function locateForClient(name: string, reach: ClientReach): Promise<SwarmHost> {
  const { server } = reach
  let answered: boolean | null = null
  const answers = async () => (answered ??= reach.via !== 'queue' && (await server.answers()))
  if (reach.via === 'any' && (await answers())) return new ServerHost(name, server)
  const local = reach.local()
  const record = local.registry.get(name)
  if (!record) throw errors.swarmNotFound(name)
  if (reach.needRunning && record.status !== 'running') {
    throw new GenswarmsError(errors.swarmNotRunning.code, `swarm "${name}" is not running (${record.status})`, { statusCode: 409 })
  }
  if (record.status === 'running') {
    const up = await answers()
    if (up && (await runsOn(server, name))) return new ServerHost(name, server)
    if (!up && reach.recordedServer?.pid === record.pid) throw silentServer(name, record, reach)
  }
  return locateHere(name, local)
}

async function runsOn(server: ServerClient, name: string): Promise<boolean> {
  const answer = await server.request<{ source?: string }>('GET', `/api/swarms/${encodeURIComponent(name)}`)
  return answer.status === 200 && answer.body.source === 'in_process'
}

/** The swarm lives in the server `genswarms up` started, which does not answer: nothing else can reach it. */
function silentServer(name: string, record: SwarmRecord, reach: ClientReach): GenswarmsError {
  if (reach.via === 'any' || reach.via === 'queue') return errors.serverUnavailable(reach.server.url, `runs swarm "${name}" but does not answer, so a queued task would never be delivered`)
  return errors.serverUnavailable(reach.recordedServer?.url ?? reach.server.url, `runs swarm "${name}" (pid ${record.pid}) but does not answer`)
}
