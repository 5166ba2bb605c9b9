import { errors } from '../errors.js'
import type { SwarmManager } from '../swarm/manager.js'
import type { Mutation } from '../swarm/mutations.js'

/** What a command may ask of the daemon that runs it. */
export interface CommandContext {
  /** the swarm this daemon runs (the row's `swarm`) */
  swarm: string
  /** stop the daemon once the current queue pass is done */
  requestStop(reason: string): void
}

export type CommandHandler = (
  manager: SwarmManager,
  payload: Record<string, unknown>,
  ctx: CommandContext,
) => unknown

/**
 * The `swarm_commands` ops a daemon understands. Each returns the JSON result
 * stored on the row; a throw marks the row failed with the error's message.
 */
const handlers: Record<string, CommandHandler> = {
  ping: (_manager, _payload, ctx) => ({ pong: true, swarm: ctx.swarm, pid: process.pid, at: new Date().toISOString() }),

  stop: (_manager, _payload, ctx) => {
    ctx.requestStop('stop command')
    return { stopping: true }
  },

  /** `{from, to, content}`: a topology-checked message, as `POST /api/swarms/:name/message` does in process. */
  message: (manager, payload, ctx) => {
    const data = manager.routeMessage(ctx.swarm, text(payload, 'from'), text(payload, 'to'), text(payload, 'content'))
    return { status: 'routed', from: data.from, to: data.to, swarm: ctx.swarm }
  },

  /** A runtime mutation (`{op: add_agent|remove_agent|topology|scale, ...}`), applied and recorded by this daemon. */
  mutate: (manager, payload, ctx) => manager.mutate(ctx.swarm, payload as unknown as Mutation),
}

export const COMMAND_OPS = Object.keys(handlers)

/** The one entry point of the daemon's command loop. */
export async function executeCommand(
  manager: SwarmManager,
  op: string,
  payload: Record<string, unknown>,
  ctx: CommandContext,
): Promise<unknown> {
  const handler = Object.hasOwn(handlers, op) ? handlers[op] : undefined
  if (!handler) throw errors.unknownCommand(op)
  return await handler(manager, payload ?? {}, ctx)
}

function text(payload: Record<string, unknown>, key: string): string {
  const value = payload[key]
  if (typeof value !== 'string' || value === '') throw errors.invalidInput(`"${key}" must be a non-empty string`)
  return value
}
