import { compile, type Check } from '../operations/check.js'
import * as results from '../operations/results.js'
import { metricsSnapshot } from '../operations/metrics.js'
import type { MetricsSnapshot } from '../objects/system/metrics.js'
import * as schemas from '../operations/schemas.js'
import type { ObjectStatus } from '../objects/types.js'
import type { PauseOutcome } from '../swarm/pause.js'
import type { Empty, MessageInput, MutationInput, MutationOutcome, Pong, RoutedResult } from '../operations/types.js'

/**
 * The command queue between a process and the daemon that runs a swarm: each
 * op with its payload and its result. Both ends are typed from this one map:
 * the sender (runDaemonCommand in control.ts) and the daemon's handler table
 * (commands.ts).
 */
export interface DaemonCommands {
  ping: [Empty, Pong]
  stop: [Empty, { stopping: true }]
  message: [MessageInput, RoutedResult]
  mutate: [MutationInput, MutationOutcome]
  objects: [Empty, ObjectStatus[]]
  pause: [Empty, PauseOutcome]
  resume: [Empty, PauseOutcome]
  metrics: [Empty, MetricsSnapshot]
}

export type DaemonOp = keyof DaemonCommands
export type Payload<K extends DaemonOp> = DaemonCommands[K][0]
export type Result<K extends DaemonOp> = DaemonCommands[K][1]

/** What the daemon checks a queued payload with: the same schemas as REST and the socket. */
export const payloadChecks: { [K in DaemonOp]: Check<Payload<K>> } = {
  ping: compile<Empty>(schemas.empty, { dropUnknown: true }),
  stop: compile<Empty>(schemas.empty, { dropUnknown: true }),
  message: compile<MessageInput>(schemas.message),
  mutate: compile<MutationInput>(schemas.mutation),
  objects: compile<Empty>(schemas.empty, { dropUnknown: true }),
  pause: compile<Empty>(schemas.empty, { dropUnknown: true }),
  resume: compile<Empty>(schemas.empty, { dropUnknown: true }),
  metrics: compile<Empty>(schemas.empty, { dropUnknown: true }),
}

/** What the sender checks a processed row's result with before handing it on. */
export const resultChecks: { [K in DaemonOp]: Check<Result<K>> } = {
  ping: compile<Pong>(results.pong),
  stop: compile<{ stopping: true }>(results.stopping),
  message: compile<RoutedResult>(results.routed),
  mutate: compile<MutationOutcome>(results.mutationOutcome),
  objects: compile<ObjectStatus[]>(results.objectList),
  pause: compile<PauseOutcome>(results.pauseOutcome),
  resume: compile<PauseOutcome>(results.pauseOutcome),
  metrics: compile<MetricsSnapshot>(metricsSnapshot),
}

export const checkFailure = compile<results.Failure>(results.failure)

export function isDaemonOp(op: string): op is DaemonOp {
  return Object.hasOwn(payloadChecks, op)
}
