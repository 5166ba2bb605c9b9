import { errors } from '../errors.js'
import type { InProcessHost } from '../hosts/in-process.js'
import type { Refusal } from '../operations/check.js'
import { isDaemonOp, payloadChecks, type DaemonOp, type Payload, type Result } from './protocol.js'

/** What a command may ask of the daemon that runs it. */
export interface CommandContext {
  /** the swarm this daemon runs, in this process */
  host: InProcessHost
  /** stop the daemon once the current queue pass is done */
  requestStop(reason: string): void
}

type Handlers = { [K in DaemonOp]: (payload: Payload<K>, ctx: CommandContext) => Result<K> | Promise<Result<K>> }

/**
 * The daemon's end of the DaemonCommands map. Each returns the JSON result
 * stored on the row; a throw marks the row failed with the error's message.
 */
const handlers: Handlers = {
  ping: (_payload, ctx) => ({ pong: true, swarm: ctx.host.name, pid: process.pid, at: new Date().toISOString() }),

  stop: (_payload, ctx) => {
    ctx.requestStop('stop command')
    return { stopping: true }
  },

  /** A topology-checked message, as `POST /api/swarms/:name/message` routes one in process. */
  message: (payload, ctx) => ctx.host.sendMessage(payload),

  /** A runtime mutation, applied and recorded by this daemon. */
  mutate: (payload, ctx) => ctx.host.mutate(payload),

  /** The objects with their runtime state, which only this process holds. */
  objects: (_payload, ctx) => ctx.host.objects(),

  /** While paused, the daemon's loop leaves queued tasks pending (acceptsTask says no). */
  pause: (_payload, ctx) => ctx.host.pause(),

  resume: (_payload, ctx) => ctx.host.resume(),

  /** The counters live in the daemon's memory, next to the swarm they count. */
  metrics: (_payload, ctx) => ctx.host.metrics(),
}

/** The one entry point of the daemon's command loop: a row's op and payload, as read from the database. */
export async function executeCommand(op: string, payload: unknown, ctx: CommandContext): Promise<Result<DaemonOp>> {
  if (!isDaemonOp(op)) throw errors.unknownCommand(op)
  return run(op, payload, ctx)
}

async function run<K extends DaemonOp>(op: K, raw: unknown, ctx: CommandContext): Promise<Result<K>> {
  const checked = payloadChecks[op](raw)
  if (!checked.ok) throw errors.invalidInput(payloadReason(op, checked.refusal))
  return handlers[op](checked.value, ctx)
}

const MISSING_OR_EMPTY = new Set(['required', 'type', 'minLength'])

/** Names the field the way the daemon always has, e.g. `"content" must be a non-empty string`. */
function payloadReason(op: DaemonOp, refusal: Refusal): string {
  const { field, keyword, message } = refusal
  if (field === null) return `the ${op} payload ${message}`
  // Every field of a message is a non-empty string.
  if (op === 'message' && MISSING_OR_EMPTY.has(keyword)) return `"${field}" must be a non-empty string`
  if (keyword === 'required') return `"${field}" is required`
  return `"${field}" ${message}`
}
