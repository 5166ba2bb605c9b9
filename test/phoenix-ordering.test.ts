import t, { type Test } from 'tap'
import type { Channel, Push } from 'phoenix'
import { RawPhoenixClient, type Frame } from './helpers/phoenix-raw-client.js'
import { startPhoenixServer } from './helpers/phoenix-server.js'
import { phoenixSocket } from './helpers/server.js'

// A reply always reaches the client before the pushes its request caused, on
// the wire (raw frames) and as the official client sees it, whether the
// channel answers at once or after awaiting.

const server = await startPhoenixServer()
t.teardown(() => server.close())

async function connect(t: Test): Promise<RawPhoenixClient> {
  const c = await RawPhoenixClient.connect(server.base)
  t.teardown(() => c.close())
  return c
}

/** The frames of one topic after its join reply, as `reply:<ref>`, `<event>:<step>` or the protocol event. */
function wire(c: RawPhoenixClient, topic: string): string[] {
  const label = (f: Frame) => (f.event === 'phx_reply' ? `reply:${f.ref}` : f.event === 'pushed' ? `pushed:${f.payload.step ?? ''}` : f.event)
  return c.received.filter((f) => f.topic === topic).slice(1).map(label)
}

t.test('raw frames: a sync handler\'s push follows its reply', async (t) => {
  const c = await connect(t)
  const { joinRef } = await c.join('room:sync')
  c.send(joinRef, 'p1', 'room:sync', 'push', { step: 'one' })
  c.send(joinRef, 'p2', 'room:sync', 'push', { step: 'two' })
  await c.waitFor((f) => f.event === 'pushed' && f.payload.step === 'two')
  t.same(wire(c, 'room:sync'), ['reply:p1', 'pushed:one', 'reply:p2', 'pushed:two'])
})

t.test('raw frames: an async handler\'s pushes, made before and after its awaits, all follow its reply in the order made', async (t) => {
  const c = await connect(t)
  const { joinRef } = await c.join('room:async-push')
  c.send(joinRef, 'a1', 'room:async-push', 'push_async', {})
  c.send(joinRef, 'e1', 'room:async-push', 'echo', 'next')
  await c.waitFor((f) => f.ref === 'e1')
  t.same(wire(c, 'room:async-push'), ['reply:a1', 'pushed:before await', 'pushed:after await', 'pushed:before reply', 'reply:e1'])
  t.same(c.received.find((f) => f.ref === 'a1')?.payload, { status: 'ok', response: { async: true } })
})

t.test('raw frames: a handler that pushes then crashes: the push, then phx_error, no reply', async (t) => {
  const c = await connect(t)
  const { joinRef } = await c.join('room:push-crash')
  c.send(joinRef, 'x1', 'room:push-crash', 'push_crash', {})
  await c.waitFor((f) => f.topic === 'room:push-crash' && f.event === 'phx_error')
  await c.sync()
  t.same(wire(c, 'room:push-crash'), ['pushed:before crash', 'phx_error'])
})

/** Resolves when the push is answered, recording the answer in `log` as it happens. */
function answered(push: Push, log: string[], label: string): Promise<void> {
  return new Promise((resolve) => {
    for (const status of ['ok', 'error', 'timeout'] as const) push.receive(status, () => resolve(void log.push(`${label}:${status}`)))
  })
}

function record(channel: Channel, log: string[]): void {
  channel.on('pushed', (payload: { step?: string }) => void log.push(`pushed:${payload.step ?? ''}`))
}

t.test('official client: the reply callback runs before the push handlers, sync and async handlers alike', async (t) => {
  const socket = phoenixSocket(t, server.base)
  const channel = socket.channel('room:client-order', {})
  const log: string[] = []
  record(channel, log)
  await answered(channel.join(), log, 'join')
  const lastPush = new Promise<void>((resolve) => channel.on('pushed', (p: { step?: string }) => void (p.step === 'before reply' && resolve())))
  await answered(channel.push('push', { step: 'sync' }), log, 'push')
  await Promise.all([answered(channel.push('push_async', {}), log, 'push_async'), lastPush])
  t.same(log, ['join:ok', 'push:ok', 'pushed:sync', 'push_async:ok', 'pushed:before await', 'pushed:after await', 'pushed:before reply'])
})

t.test('official client: pushes made during an async join follow the join reply', async (t) => {
  const socket = phoenixSocket(t, server.base)
  const channel = socket.channel('room:client-join', { delayMs: 5, pushOnJoin: true })
  const log: string[] = []
  channel.on('welcome', () => void log.push('welcome'))
  channel.on('after_delay', () => void log.push('after_delay'))
  const both = new Promise<void>((resolve) => channel.on('after_delay', () => resolve()))
  await Promise.all([answered(channel.join(), log, 'join'), both])
  t.same(log, ['join:ok', 'welcome', 'after_delay'])
})
