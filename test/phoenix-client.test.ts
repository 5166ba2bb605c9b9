import t, { type Test } from 'tap'
import { Socket, type Channel } from 'phoenix'
import { eventually, startPhoenixServer } from './helpers/phoenix-server.js'
import { phoenixSocket } from './helpers/server.js'

// The official `phoenix` npm client, unchanged, against the server (it speaks vsn 2.0.0).

const server = await startPhoenixServer()
t.teardown(() => server.close())

function connect(tt: Test, params: Record<string, string> = {}): Socket {
  return phoenixSocket(tt, server.base, params)
}

type Received = { status: 'ok' | 'error' | 'timeout'; response: any }

function outcome(push: ReturnType<Channel['join']>): Promise<Received> {
  return new Promise((resolve) => {
    push
      .receive('ok', (response: unknown) => resolve({ status: 'ok', response }))
      .receive('error', (response: unknown) => resolve({ status: 'error', response }))
      .receive('timeout', () => resolve({ status: 'timeout', response: null }))
  })
}

t.test('join, reply and push round trip with the official client', async (t) => {
  const socket = connect(t, { token: 'abc' })
  const channel = socket.channel('room:client', { pushOnJoin: true })
  const welcome = new Promise<unknown>((resolve) => channel.on('welcome', resolve))
  const joined = await outcome(channel.join())
  t.equal(joined.status, 'ok')
  t.same(joined.response.joined, 'room:client')
  t.same(joined.response.params, { token: 'abc' }, 'connect params minus vsn')
  t.same(await welcome, { topic: 'room:client' }, 'push made during join delivered after the join')

  const echo = await outcome(channel.push('echo', { hello: 'phoenix' }))
  t.same(echo, { status: 'ok', response: { echo: { hello: 'phoenix' } } })

  const pushed = new Promise<unknown>((resolve) => channel.on('pushed', resolve))
  await outcome(channel.push('push', { n: 42 }))
  t.same(await pushed, { n: 42 })

  const refused = await outcome(channel.push('unknown', {}))
  t.same(refused, { status: 'error', response: { reason: 'unknown_event' } })
})

t.test('refused join and unmatched topic reach the client as join errors', async (t) => {
  const socket = connect(t)
  const refused = socket.channel('room:closed-door', { refuse: true })
  t.same(await outcome(refused.join()), { status: 'error', response: { reason: 'refused' } })
  refused.leave()
  const unmatched = socket.channel('elsewhere:1', {})
  t.same(await outcome(unmatched.join()), { status: 'error', response: { reason: 'unmatched topic' } })
  unmatched.leave()
})

t.test('a crashing channel fires onError on the client; its sibling keeps working', async (t) => {
  const socket = connect(t)
  const doomed = socket.channel('room:client-crash', {})
  const sibling = socket.channel('room:client-sibling', {})
  t.equal((await outcome(doomed.join())).status, 'ok')
  t.equal((await outcome(sibling.join())).status, 'ok')
  const errored = new Promise<void>((resolve) => doomed.onError(() => resolve()))
  // A crashed channel never replies (as in Phoenix); a short push timeout keeps the client from holding the process open.
  doomed.push('crash', {}, 100)
  await errored
  t.pass('phx_error reached the channel')
  const echo = await outcome(sibling.push('echo', { fine: true }))
  t.same(echo, { status: 'ok', response: { echo: { fine: true } } })
  doomed.leave()
})

t.test('leave terminates the channel on the server', async (t) => {
  const socket = connect(t)
  const channel = socket.channel('room:client-leave', {})
  t.equal((await outcome(channel.join())).status, 'ok')
  const closed = new Promise<void>((resolve) => channel.onClose(() => resolve()))
  // The client confirms a leave locally at once, so watch the server for its effect.
  channel.leave()
  await closed
  const ends = () => server.record.terminated.filter((r) => r.topic === 'room:client-leave')
  await eventually(() => ends().length > 0, 'the server terminates the channel')
  t.same(ends().map((r) => r.reason), ['leave'])
})
