import t, { type Test } from 'tap'
import { errors } from '../lib/errors.js'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { RawPhoenixClient, type Frame } from './helpers/phoenix-raw-client.js'
import { startServer, until, type TestServer } from './helpers/server.js'

// The Phoenix protocol end to end on the real /swarm/websocket endpoint, with
// raw ws frames and real scripted swarms. Protocol edge cases live in
// test/phoenix-*.test.ts; this file checks each of them once on the real socket.

const echoAgent = (name: string) => mockAgent(name, [], { backend: { type: 'mock', echo: true } })

async function connect(t: Test, server: TestServer, vsn: string | null = '2.0.0'): Promise<RawPhoenixClient> {
  const client = await RawPhoenixClient.connect(server.socketUrl, vsn)
  t.teardown(() => client.close())
  return client
}

/** A socket that is never closed fails the test here instead of at tap's timeout. */
function closedWithin(c: RawPhoenixClient, ms: number): Promise<{ code: number; reason: string }> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms)
  })
  return Promise.race([c.closed, timeout]).finally(() => clearTimeout(timer))
}

const outputs = (c: RawPhoenixClient, topic: string) => c.received.filter((f) => f.event === 'agent_output' && f.topic === topic)

const server = await startServer(t)
const manager = server.app.swarmManager
await manager.start(swarmConfig('alpha', [echoAgent('worker')]))
const listeners = () => server.app.pubsub.listenerCount()
/** Clients of earlier tests are closed from the client side; their channels end once the server sees the close. */
const earlierClientsGone = () => until(() => listeners() === 0, 'channels of earlier tests released')

t.test('vsn 2.0.0: heartbeat, join swarm:<name>, a live push, replies; unknown_event leaves the channel working', async (t) => {
  const c = await connect(t, server)
  const heartbeat = await c.call('phoenix', 'heartbeat', {})
  t.same(heartbeat, { joinRef: null, ref: heartbeat.ref, topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} } })

  const { joinRef, reply } = await c.join('swarm:alpha')
  t.same(reply, { joinRef, ref: joinRef, topic: 'swarm:alpha', event: 'phx_reply', payload: { status: 'ok', response: { swarm: 'alpha' } } })
  const sent = await c.call('swarm:alpha', 'send_task', { agent: 'worker', task: 'v2 hello' }, joinRef)
  t.same(sent, { joinRef, ref: sent.ref, topic: 'swarm:alpha', event: 'phx_reply', payload: { status: 'ok', response: { status: 'sent' } } })
  const output = await c.waitFor((f) => f.event === 'agent_output', 'agent_output push')
  t.same(output, { joinRef, ref: null, topic: 'swarm:alpha', event: 'agent_output', payload: { agent: 'worker', content: 'v2 hello' } })

  const unknown = await c.call('swarm:alpha', 'dance', { steps: 3 }, joinRef)
  t.same(unknown.payload, { status: 'error', response: { reason: 'unknown_event', code: errors.unknownEvent.code } })
  const status = await c.call('swarm:alpha', 'get_status', {}, joinRef)
  t.equal(status.payload.status, 'ok', 'the channel still answers after an unknown event')
  t.equal(status.payload.response.name, 'alpha')
  await c.call('swarm:alpha', 'send_task', { agent: 'worker', task: 'still here' }, joinRef)
  await c.waitFor((f) => f.event === 'agent_output' && f.payload.content === 'still here', 'a push after the unknown event')
})

for (const vsn of ['1.0.0', null]) {
  t.test(`vsn ${vsn ?? 'absent'}: V1 object frames for replies and pushes, no join_ref`, async (t) => {
    const c = await connect(t, server, vsn)
    const raw: Record<string, unknown>[] = []
    c.ws.on('message', (data) => raw.push(JSON.parse(data.toString())))
    const heartbeat = await c.call('phoenix', 'heartbeat', {})
    t.same(heartbeat.payload, { status: 'ok', response: {} })
    const { reply } = await c.join('swarm:alpha')
    t.same(reply.payload, { status: 'ok', response: { swarm: 'alpha' } })
    const sent = await c.call('swarm:alpha', 'send_task', { agent: 'worker', task: `v1 ${vsn}` })
    t.same(sent.payload, { status: 'ok', response: { status: 'sent' } })
    await c.waitFor((f) => f.event === 'agent_output', 'agent_output push')
    t.same(
      raw.find((f) => f.event === 'agent_output'),
      { topic: 'swarm:alpha', event: 'agent_output', payload: { agent: 'worker', content: `v1 ${vsn}` }, ref: null },
    )
    t.ok(raw.length >= 4)
    for (const frame of raw) t.same(Object.keys(frame).sort(), ['event', 'payload', 'ref', 'topic'], `${frame.event} is a V1 object`)
  })
}

t.test('unmatched topic, unknown swarm, and leave on a topic not joined', async (t) => {
  const c = await connect(t, server)
  t.same((await c.join('room:lobby')).reply.payload, { status: 'error', response: { reason: 'unmatched topic' } })
  t.same((await c.join('swarm:ghost')).reply.payload, { status: 'error', response: { reason: 'swarm_not_found', code: errors.swarmNotFound.code } })
  const notJoined = await c.call('swarm:alpha', 'send_task', { agent: 'worker', task: 'x' }, null)
  t.same(notJoined.payload, { status: 'error', response: { reason: 'unmatched topic' } })
  const leave = await c.call('swarm:alpha', 'phx_leave', {}, null)
  t.same(leave.payload, { status: 'ok', response: {} })
  t.notOk(manager.history('alpha', 'worker').some((h) => h.content === 'x'), 'nothing reached the swarm')
})

t.test('duplicate join: phx_close with the old join_ref first; the old channel lets go of the swarm', async (t) => {
  await earlierClientsGone()
  const c = await connect(t, server)
  const first = await c.join('swarm:alpha')
  const second = await c.join('swarm:alpha')
  const close = c.received.find((f) => f.event === 'phx_close')
  t.same(close, { joinRef: first.joinRef, ref: first.joinRef, topic: 'swarm:alpha', event: 'phx_close', payload: {} })
  t.ok(c.received.indexOf(close!) < c.received.indexOf(second.reply), 'phx_close precedes the new join reply')
  t.same(second.reply.payload, { status: 'ok', response: { swarm: 'alpha' } })
  t.equal(listeners(), 5, 'one channel subscribed, not two')

  await c.call('swarm:alpha', 'send_task', { agent: 'worker', task: 'after rejoin' }, second.joinRef)
  const output = await c.waitFor((f) => f.event === 'agent_output', 'push to the new join')
  t.equal(output.joinRef, second.joinRef, 'pushes carry the new join_ref')
  await c.waitFor((f) => f.event === 'agent_status' && f.payload.state === 'idle', 'end of the turn')
  await c.sync()
  t.equal(outputs(c, 'swarm:alpha').length, 1, 'the output arrived once')
})

t.test('leave: ok {}, then phx_close with the join_ref as ref; no more pushes', async (t) => {
  await earlierClientsGone()
  const c = await connect(t, server)
  const { joinRef } = await c.join('swarm:alpha')
  const left = await c.call('swarm:alpha', 'phx_leave', {}, joinRef)
  t.same(left.payload, { status: 'ok', response: {} })
  const close = await c.waitFor((f) => f.event === 'phx_close', 'phx_close')
  t.same(close, { joinRef, ref: joinRef, topic: 'swarm:alpha', event: 'phx_close', payload: {} })
  t.ok(c.received.indexOf(left) < c.received.indexOf(close), 'reply before phx_close')
  t.equal(listeners(), 0, 'the channel unsubscribed from the swarm')

  const watcher = await connect(t, server)
  const watch = await watcher.join('swarm:alpha')
  await watcher.call('swarm:alpha', 'send_task', { agent: 'worker', task: 'nobody left' }, watch.joinRef)
  await watcher.waitFor((f) => f.event === 'agent_output', 'output seen by a joined client')
  await c.sync()
  t.same(outputs(c, 'swarm:alpha'), [], 'the client that left got no push')
  const after = await c.call('swarm:alpha', 'send_task', { agent: 'worker', task: 'x' }, joinRef)
  t.same(after.payload.response, { reason: 'unmatched topic' })
})

t.test('a message with a stale join_ref is ignored: no reply, nothing reaches the swarm', async (t) => {
  const c = await connect(t, server)
  const first = await c.join('swarm:alpha')
  const second = await c.join('swarm:alpha')
  c.send(first.joinRef, 'stale-task', 'swarm:alpha', 'send_task', { agent: 'worker', task: 'stale task' })
  c.send(first.joinRef, 'stale-leave', 'swarm:alpha', 'phx_leave', {})
  await c.sync()
  t.notOk(c.received.some((f) => f.ref?.startsWith('stale-')), 'no reply to a stale message')
  const current = await c.call('swarm:alpha', 'send_task', { agent: 'worker', task: 'current task' }, second.joinRef)
  t.same(current.payload.response, { status: 'sent' }, 'the stale leave did not end the current join')
  await c.waitFor((f) => f.event === 'agent_output' && f.payload.content === 'current task', 'output of the current task')
  const inputs = manager.history('alpha', 'worker', 1000).filter((h) => h.direction === 'in').map((h) => h.content)
  t.ok(inputs.includes('current task'))
  t.notOk(inputs.includes('stale task'), 'the stale send_task never reached the agent')
})

t.test('100 swarm channels on one socket; the 101st join is refused', async (t) => {
  const names = Array.from({ length: 100 }, (_, i) => `many-${i}`)
  for (const name of names) await manager.start(swarmConfig(name, [echoAgent('worker')]))
  t.teardown(async () => {
    for (const name of names) await manager.stop(name)
  })
  const c = await connect(t, server)
  const joins = await Promise.all(names.map((name) => c.join(`swarm:${name}`)))
  t.ok(joins.every((j) => j.reply.payload.status === 'ok'), '100 joins ok')
  const extra = await c.join('swarm:alpha')
  t.same(extra.reply.payload, { status: 'error', response: { reason: 'too many channels joined' } })
  const last = joins.at(-1)!
  const served = await c.call('swarm:many-99', 'send_task', { agent: 'worker', task: 'the 100th works' }, last.joinRef)
  t.same(served.payload.response, { status: 'sent' })
  await c.call('swarm:many-0', 'phx_leave', {}, joins[0]!.joinRef)
  t.same((await c.join('swarm:alpha')).reply.payload, { status: 'ok', response: { swarm: 'alpha' } }, 'a freed slot can be used')
})

t.test('malformed frames never take the socket down; addressable ones get an error reply', async (t) => {
  const c = await connect(t, server)
  const other = await connect(t, server)
  const { joinRef } = await c.join('swarm:alpha')
  const otherJoin = await other.join('swarm:alpha')
  c.sendRaw('{not json')
  c.sendRaw('"a string"')
  c.sendRaw('[1, 2, 3]')
  c.sendRaw('null')
  c.sendRaw(JSON.stringify({ topic: 'swarm:alpha', event: 'send_task', payload: { agent: 'worker', task: 'v1 frame on v2' }, ref: 'v1' }))
  c.sendRaw(JSON.stringify([joinRef, 17, 'swarm:alpha', 'send_task', {}]))
  c.sendRaw(Buffer.from([0xff, 0x00, 0x13]))
  c.sendRaw(JSON.stringify([joinRef, 'bad-event', 'swarm:alpha', 42, {}]))
  c.sendRaw(JSON.stringify([joinRef, 'bad-payload', 'swarm:alpha', 'send_task', 'not an object']))
  c.sendRaw(JSON.stringify([joinRef, 'bad-fields', 'swarm:alpha', 'send_task', { agent: 42, task: ['x'] }]))
  c.sendRaw(JSON.stringify([joinRef, 'bad-filters', 'swarm:alpha', 'subscribe_events', { filters: [1] }]))

  const reasonOf = async (ref: string) => (await c.waitFor((f: Frame) => f.ref === ref, `reply ${ref}`)).payload
  t.same(await reasonOf('bad-event'), { status: 'error', response: { reason: 'malformed message' } })
  t.same(await reasonOf('bad-payload'), { status: 'error', response: { reason: 'agent must be a non-empty string', code: errors.invalidInput.code } })
  t.same(await reasonOf('bad-fields'), { status: 'error', response: { reason: 'agent must be a non-empty string', code: errors.invalidInput.code } })
  t.same(await reasonOf('bad-filters'), { status: 'error', response: { reason: 'filters must be an object', code: errors.invalidInput.code } })
  await c.sync()
  t.notOk(c.received.some((f) => f.ref === 'v1'), 'a V1 frame on a V2 socket is dropped')
  t.equal(c.ws.readyState, c.ws.OPEN, 'the socket is still open')

  await c.call('swarm:alpha', 'send_task', { agent: 'worker', task: 'after the garbage' }, joinRef)
  await c.waitFor((f) => f.event === 'agent_output' && f.payload.content === 'after the garbage', 'the channel still pushes')
  await other.waitFor((f) => f.event === 'agent_output' && f.payload.content === 'after the garbage', 'the other client is served')
  t.equal(other.received.find((f) => f.event === 'agent_output')!.joinRef, otherJoin.joinRef)
  const inputs = manager.history('alpha', 'worker', 1000).map((h) => h.content)
  t.notOk(inputs.includes('v1 frame on v2'), 'the dropped frame reached no agent')
})

t.test('an unsupported vsn is closed with 4002; /swarm/longpoll does not exist', async (t) => {
  const c = await connect(t, server, '3.0.0')
  const closed = await closedWithin(c, 10_000)
  t.equal(closed.code, 4002)
  t.match(closed.reason, /unsupported serializer version/)
  for (const method of ['GET', 'POST'] as const) {
    const res = await server.app.inject({ method, url: '/swarm/longpoll?vsn=2.0.0' })
    t.equal(res.statusCode, 404, `${method} /swarm/longpoll`)
  }
})

t.test('a frame larger than socket.maxPayload closes that socket with 1009; another client is unaffected', async (t) => {
  const maxPayload = 16 * 1024
  const small = await startServer(t, { socket: { maxPayload } })
  await small.app.swarmManager.start(swarmConfig('capped', [echoAgent('worker')]))
  const big = await connect(t, small)
  const other = await connect(t, small)
  const bigJoin = await big.join('swarm:capped')
  const otherJoin = await other.join('swarm:capped')
  const before = small.app.pubsub.listenerCount()

  const fits = 'f'.repeat(maxPayload - 1024)
  const accepted = await big.call('swarm:capped', 'send_task', { agent: 'worker', task: fits }, bigJoin.joinRef)
  t.same(accepted.payload.response, { status: 'sent' }, 'a frame under the limit is served')

  const tooBig = 'x'.repeat(maxPayload + 1)
  big.send(bigJoin.joinRef, 'too-big', 'swarm:capped', 'send_task', { agent: 'worker', task: tooBig })
  const closed = await closedWithin(big, 10_000)
  t.equal(closed.code, 1009, 'message too big')
  await until(() => small.app.pubsub.listenerCount() === before - 5, 'the closed socket released its channel')

  const sent = await other.call('swarm:capped', 'send_task', { agent: 'worker', task: 'still served' }, otherJoin.joinRef)
  t.same(sent.payload.response, { status: 'sent' })
  await other.waitFor((f) => f.event === 'agent_output' && f.payload.content === 'still served', 'push to the other client')
  const inputs = small.app.swarmManager.history('capped', 'worker').map((h) => h.content)
  t.ok(inputs.includes(fits))
  t.notOk(inputs.includes(tooBig), 'the oversized task reached no agent')
})

t.test('slow consumer: a client that stops reading is cut off; another client on the swarm gets every push meanwhile', async (t) => {
  // Every queued byte counts against the budget, so it must hold a few of the
  // healthy client's 256 KiB pushes while that client is between two reads.
  const maxBufferedBytes = 1024 * 1024
  const slowServer = await startServer(t, { socket: { maxBufferedBytes } })
  const chunk = 'y'.repeat(256 * 1024)
  // 120 outputs of 256 KiB (30 MiB) to each client: far beyond what loopback socket buffers absorb.
  const tasks = 120
  await slowServer.app.swarmManager.start(swarmConfig('firehose', [mockAgent('writer', [{ match: '^flood', response: chunk }])]))
  const slow = await connect(t, slowServer)
  const fast = await connect(t, slowServer)
  await slow.join('swarm:firehose')
  await fast.join('swarm:firehose')
  const bothJoined = slowServer.app.pubsub.listenerCount()

  slow.pauseReading()
  for (let i = 0; i < tasks; i++) slowServer.app.swarmManager.sendTask('firehose', 'writer', `flood ${i}`)

  // The slow client stays paused until the healthy one has every push.
  await until(() => outputs(fast, 'swarm:firehose').length === tasks, `${tasks} outputs at the healthy client`, 60_000)
  t.ok(outputs(fast, 'swarm:firehose').every((f) => f.payload.content.length === chunk.length), 'each push whole')
  await until(() => slowServer.app.pubsub.listenerCount() === bothJoined - 5, 'the slow socket is cut off server-side', 30_000)
  const status = await fast.call('phoenix', 'heartbeat', {})
  t.equal(status.payload.status, 'ok', 'the healthy socket is still served')

  slow.resumeReading()
  const closed = await closedWithin(slow, 30_000)
  t.ok([4001, 1006].includes(closed.code), `the slow client sees its socket closed (${closed.code})`)
  t.ok(outputs(slow, 'swarm:firehose').length < tasks, `the slow client never got the whole stream (${outputs(slow, 'swarm:firehose').length})`)
})
