import { ok, refuse, type ChannelDefinition, type TerminateReason } from '../../lib/phoenix/index.js'

export interface RoomRecord {
  terminated: Array<{ topic: string; joinRef: string; reason: TerminateReason }>
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

type Payload = Record<string, unknown>
const asPayload = (p: unknown): Payload => (p !== null && typeof p === 'object' ? (p as Payload) : {})

/**
 * `room:*`, a channel that does on demand everything a channel can do:
 * join ok / refused / crashing / async / pushing during join; echo, push
 * (sync, across awaits, then crashing), crash (sync and async), slow replies
 * and paced floods of pushes.
 */
export function roomChannel(record: RoomRecord): ChannelDefinition {
  return {
    pattern: 'room:*',
    create(ctx) {
      let stopped = false

      async function flood(count: number, size: number): Promise<void> {
        const chunk = 'x'.repeat(size)
        for (let i = 0; i < count && !stopped; i++) {
          ctx.push('flood', { i, chunk })
          // Paced, so a client that reads keeps up and only one that stopped reading falls behind.
          if (i % 4 === 3) await new Promise((resolve) => setImmediate(resolve))
        }
      }

      return {
        join(raw) {
          const p = asPayload(raw)
          if (p.refuse) return refuse('refused')
          if (p.crash) throw new Error('join exploded')
          if (p.badReply) return { status: 'maybe' } as never
          if (p.pushOnJoin) ctx.push('welcome', { topic: ctx.topic })
          const response = { joined: ctx.topic, joinRef: ctx.joinRef, params: ctx.params }
          if (typeof p.delayMs === 'number') {
            return delay(p.delayMs).then(() => {
              if (p.crashLater) throw new Error('async join exploded')
              ctx.push('after_delay', {})
              return ok(response)
            })
          }
          return ok(response)
        },
        handleIn(event, raw) {
          const p = asPayload(raw)
          switch (event) {
            case 'echo':
              return ok({ echo: raw })
            case 'push':
              ctx.push('pushed', raw)
              return ok({})
            case 'push_async':
              // Pushes before, across and after an await: all of them are caused by this request.
              ctx.push('pushed', { step: 'before await' })
              return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
                ctx.push('pushed', { step: 'after await' })
                return delay(Number(p.ms ?? 5)).then(() => {
                  ctx.push('pushed', { step: 'before reply' })
                  return ok({ async: true })
                })
              })
            case 'push_crash':
              ctx.push('pushed', { step: 'before crash' })
              throw new Error('handler exploded after a push')
            case 'crash':
              throw new Error('handler exploded')
            case 'crash_async':
              return Promise.reject(new Error('async handler exploded'))
            case 'slow':
              return delay(Number(p.ms ?? 50)).then(() => ok({ slow: raw }))
            case 'flood':
              void flood(Number(p.count ?? 0), Number(p.size ?? 0))
              return ok({})
            default:
              return refuse('unknown_event')
          }
        },
        terminate(reason) {
          stopped = true
          record.terminated.push({ topic: ctx.topic, joinRef: ctx.joinRef, reason })
        },
      }
    },
  }
}
