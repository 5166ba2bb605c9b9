import t, { type Test } from 'tap'
import { RawPhoenixClient } from './helpers/phoenix-raw-client.js'
import { eventually, startPhoenixServer } from './helpers/phoenix-server.js'

// The Phoenix protocol (vsn 2.0.0) over a real Fastify server and raw ws clients.

const server = await startPhoenixServer()
t.teardown(() => server.close())

async function connect(tt: Test, params: Record<string, string> = {}): Promise<RawPhoenixClient> {
  const client = await RawPhoenixClient.connect(server.base, '2.0.0', params)
  tt.teardown(() => client.close())
  return client
}

const terminationsOf = (topic: string) => server.record.terminated.filter((r) => r.topic === topic)

t.test('heartbeat is answered ok {} on topic phoenix', async (t) => {
  const c = await connect(t)
  c.send(null, '7', 'phoenix', 'heartbeat', {})
  const reply = await c.waitFor((f) => f.ref === '7')
  t.same(reply, { joinRef: null, ref: '7', topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} } })
})

t.test('join and handleIn replies echo join_ref, ref and topic; params reach the channel without vsn', async (t) => {
  const c = await connect(t, { user: 'ada' })
  const { joinRef, reply } = await c.join('room:lobby', {})
  t.same(reply, {
    joinRef,
    ref: joinRef,
    topic: 'room:lobby',
    event: 'phx_reply',
    payload: { status: 'ok', response: { joined: 'room:lobby', joinRef, params: { user: 'ada' } } },
  })
  const echo = await c.call('room:lobby', 'echo', { n: 1 }, joinRef)
  t.same(echo, { joinRef, ref: echo.ref, topic: 'room:lobby', event: 'phx_reply', payload: { status: 'ok', response: { echo: { n: 1 } } } })
  const refused = await c.call('room:lobby', 'nope', {}, joinRef)
  t.same(refused.payload, { status: 'error', response: { reason: 'unknown_event' } })
})

t.test('server pushes are [join_ref, null, topic, event, payload]', async (t) => {
  const c = await connect(t)
  const { joinRef } = await c.join('room:push')
  const reply = await c.call('room:push', 'push', { hello: 'world' }, joinRef)
  const pushed = await c.waitFor((f) => f.event === 'pushed')
  t.same(pushed, { joinRef, ref: null, topic: 'room:push', event: 'pushed', payload: { hello: 'world' } })
  t.ok(c.received.indexOf(reply) < c.received.indexOf(pushed), 'a push made inside handleIn goes out after its reply')
})

t.test('unmatched topics: join and other events answer error "unmatched topic", leave answers ok', async (t) => {
  const c = await connect(t)
  const join = await c.call('nowhere:1', 'phx_join', {}, '1')
  t.same(join.payload, { status: 'error', response: { reason: 'unmatched topic' } })
  const event = await c.call('room:not-joined', 'echo', {}, null)
  t.same(event.payload, { status: 'error', response: { reason: 'unmatched topic' } })
  const leave = await c.call('room:not-joined', 'phx_leave', {}, null)
  t.same(leave.payload, { status: 'ok', response: {} })
})

t.test('refused join: error reply, channel discarded without terminate', async (t) => {
  const c = await connect(t)
  const { reply } = await c.join('room:refuse', { refuse: true })
  t.same(reply.payload, { status: 'error', response: { reason: 'refused' } })
  const after = await c.call('room:refuse', 'echo', {}, reply.joinRef)
  t.same(after.payload, { status: 'error', response: { reason: 'unmatched topic' } }, 'nothing joined')
  t.same(terminationsOf('room:refuse'), [])
})

t.test('duplicate join: phx_close with the OLD join_ref first, old channel terminated with rejoin', async (t) => {
  const c = await connect(t)
  const first = await c.join('room:dup')
  const second = await c.join('room:dup')
  const close = c.received.find((f) => f.event === 'phx_close' && f.topic === 'room:dup')
  t.same(close, { joinRef: first.joinRef, ref: first.joinRef, topic: 'room:dup', event: 'phx_close', payload: {} })
  t.ok(c.received.indexOf(close!) < c.received.indexOf(second.reply), 'phx_close precedes the new join reply')
  t.same(second.reply.payload.status, 'ok')
  t.same(terminationsOf('room:dup'), [{ topic: 'room:dup', joinRef: first.joinRef, reason: 'rejoin' }])
  const echo = await c.call('room:dup', 'echo', 'new', second.joinRef)
  t.same(echo.payload.response, { echo: 'new' }, 'the new join serves')
})

t.test('leave: reply ok {}, then phx_close with join_ref as ref, terminate(leave)', async (t) => {
  const c = await connect(t)
  const { joinRef } = await c.join('room:leave')
  const reply = await c.call('room:leave', 'phx_leave', {}, joinRef)
  t.same(reply.payload, { status: 'ok', response: {} })
  const close = await c.waitFor((f) => f.event === 'phx_close' && f.topic === 'room:leave')
  t.same(close, { joinRef, ref: joinRef, topic: 'room:leave', event: 'phx_close', payload: {} })
  t.ok(c.received.indexOf(reply) < c.received.indexOf(close), 'reply before phx_close')
  t.same(terminationsOf('room:leave'), [{ topic: 'room:leave', joinRef, reason: 'leave' }])
  const after = await c.call('room:leave', 'echo', {}, joinRef)
  t.same(after.payload.response, { reason: 'unmatched topic' })
})

t.test('a message with a stale join_ref gets no reply and reaches no channel', async (t) => {
  const c = await connect(t)
  const first = await c.join('room:stale')
  const second = await c.join('room:stale')
  c.send(first.joinRef, 'stale-1', 'room:stale', 'echo', {})
  c.send(first.joinRef, 'stale-2', 'room:stale', 'phx_leave', {})
  c.send(null, 'stale-3', 'room:stale', 'echo', {})
  await c.sync()
  t.notOk(c.received.some((f) => f.ref?.startsWith('stale-')), 'no replies to stale messages')
  const echo = await c.call('room:stale', 'echo', 'still here', second.joinRef)
  t.same(echo.payload.response, { echo: 'still here' }, 'current join unaffected, stale leave ignored')
})

t.test('100 channels join, the 101st is refused; leaving one frees a slot', async (t) => {
  const c = await connect(t)
  const joins = await Promise.all(Array.from({ length: 100 }, (_, i) => c.join(`room:many-${i}`)))
  t.ok(joins.every((j) => j.reply.payload.status === 'ok'), '100 joins ok')
  const extra = await c.join('room:many-100')
  t.same(extra.reply.payload, { status: 'error', response: { reason: 'too many channels joined' } })
  const rejoin = await c.join('room:many-5')
  t.equal(rejoin.reply.payload.status, 'ok', 'rejoining a joined topic does not count twice')
  await c.call('room:many-0', 'phx_leave', {}, joins[0]!.joinRef)
  const again = await c.join('room:many-100')
  t.equal(again.reply.payload.status, 'ok')
})

t.test('malformed frames are dropped (with an error reply when addressable) and the socket keeps working', async (t) => {
  const c = await connect(t)
  const { joinRef } = await c.join('room:malformed')
  const warningsBefore = server.logs.filter((l) => l.msg === 'malformed frame dropped').length
  c.sendRaw('{not json')
  c.sendRaw('"a string"')
  c.sendRaw('[1, 2, 3]')
  c.sendRaw(JSON.stringify({ topic: 'room:malformed', event: 'echo', payload: {}, ref: '1' }))
  c.sendRaw(JSON.stringify([joinRef, 42, 'room:malformed', 'echo', {}]))
  c.sendRaw(JSON.stringify([joinRef, 'bad-event', 'room:malformed', 17, {}]))
  const reply = await c.waitFor((f) => f.ref === 'bad-event')
  t.same(reply, { joinRef, ref: 'bad-event', topic: 'room:malformed', event: 'phx_reply', payload: { status: 'error', response: { reason: 'malformed message' } } })
  const echo = await c.call('room:malformed', 'echo', 'ok', joinRef)
  t.same(echo.payload.response, { echo: 'ok' })
  t.equal(server.logs.filter((l) => l.msg === 'malformed frame dropped').length - warningsBefore, 1, 'the first bad frame is logged at once')
  t.same(terminationsOf('room:malformed'), [], 'the channel lives on')
  c.close()
  await eventually(() => terminationsOf('room:malformed').length === 1, 'the socket is closed')
  const summary = server.logs.filter((l) => l.msg === 'malformed frame dropped (repeated)')
  t.match(summary.at(-1)?.obj, { repeated: 5 }, 'the other five are counted in one line at close')
})

t.test('binary frames are refused; a binary push gets an error reply', async (t) => {
  const c = await connect(t)
  const { joinRef } = await c.join('room:binary')
  c.sendRaw(Buffer.from([0xff, 0x00]))
  const fields = [joinRef, 'bin-1', 'room:binary', 'echo'].map((s) => Buffer.from(s))
  c.sendRaw(Buffer.concat([Buffer.from([0, ...fields.map((f) => f.length)]), ...fields, Buffer.from([1, 2, 3])]))
  const reply = await c.waitFor((f) => f.ref === 'bin-1')
  t.same(reply.payload, { status: 'error', response: { reason: 'binary frames not supported' } })
  const echo = await c.call('room:binary', 'echo', 1, joinRef)
  t.same(echo.payload.response, { echo: 1 })
})

for (const event of ['crash', 'crash_async']) {
  t.test(`${event}: phx_error for that channel, terminate(error), the other channel keeps working`, async (t) => {
    const c = await connect(t)
    const doomed = await c.join(`room:${event}`)
    const other = await c.join(`room:${event}-other`)
    c.send(doomed.joinRef, 'boom', `room:${event}`, event, {})
    const error = await c.waitFor((f) => f.event === 'phx_error')
    t.same(error, { joinRef: doomed.joinRef, ref: doomed.joinRef, topic: `room:${event}`, event: 'phx_error', payload: {} })
    t.same(terminationsOf(`room:${event}`), [{ topic: `room:${event}`, joinRef: doomed.joinRef, reason: 'error' }])
    const echo = await c.call(`room:${event}-other`, 'echo', 'alive', other.joinRef)
    t.same(echo.payload.response, { echo: 'alive' })
    const gone = await c.call(`room:${event}`, 'echo', {}, doomed.joinRef)
    t.same(gone.payload.response, { reason: 'unmatched topic' }, 'crashed channel dropped')
    const rejoin = await c.join(`room:${event}`)
    t.equal(rejoin.reply.payload.status, 'ok', 'and can be joined again')
  })
}

t.test('a crashing channel does not affect other sockets', async (t) => {
  const a = await connect(t)
  const b = await connect(t)
  const ja = await a.join('room:shared')
  const jb = await b.join('room:shared')
  a.send(ja.joinRef, 'x', 'room:shared', 'crash', {})
  await a.waitFor((f) => f.event === 'phx_error')
  const echo = await b.call('room:shared', 'echo', 'b', jb.joinRef)
  t.same(echo.payload.response, { echo: 'b' })
})

t.test('join that throws (sync or async) answers error "join crashed" and joins nothing', async (t) => {
  const c = await connect(t)
  const sync = await c.join('room:jcrash', { crash: true })
  t.same(sync.reply.payload, { status: 'error', response: { reason: 'join crashed' } })
  const async = await c.join('room:jcrash-async', { delayMs: 5, crashLater: true })
  t.same(async.reply.payload, { status: 'error', response: { reason: 'join crashed' } })
  const bad = await c.join('room:jcrash-bad', { badReply: true })
  t.same(bad.reply.payload, { status: 'error', response: { reason: 'join crashed' } }, 'a non-Reply counts as a crash')
  t.same(server.record.terminated.filter((r) => r.topic.startsWith('room:jcrash')), [])
  const ok = await c.join('room:jcrash')
  t.equal(ok.reply.payload.status, 'ok')
})

t.test('pushes made during join arrive after the join reply', async (t) => {
  const c = await connect(t)
  const { reply } = await c.join('room:welcome', { pushOnJoin: true })
  const welcome = await c.waitFor((f) => f.event === 'welcome')
  t.ok(c.received.indexOf(reply) < c.received.indexOf(welcome))
  t.equal(welcome.joinRef, reply.joinRef)
})

t.test('while an async join is pending, messages for its topic wait in order; other topics do not', async (t) => {
  const c = await connect(t)
  const { joinRef: otherRef } = await c.join('room:fast')
  const joinRef = c.nextRef()
  c.send(joinRef, joinRef, 'room:async', 'phx_join', { delayMs: 150 })
  c.send(joinRef, 'q1', 'room:async', 'echo', 1)
  c.send(joinRef, 'q2', 'room:async', 'slow', { ms: 20 })
  c.send(joinRef, 'q3', 'room:async', 'echo', 3)
  const fast = await c.call('room:fast', 'echo', 'fast', otherRef)
  t.notOk(c.received.some((f) => f.topic === 'room:async'), 'the other topic answered while the join was pending')
  await c.waitFor((f) => f.ref === 'q3')
  const order = c.received.filter((f) => f.topic === 'room:async').map((f) => f.ref ?? `push:${f.event}`)
  t.same(order, [joinRef, 'push:after_delay', 'q1', 'q2', 'q3'])
  t.same(c.received.find((f) => f.ref === 'q1')?.payload.response, { echo: 1 })
  t.ok(fast)
})

t.test('closing the socket terminates every joined channel exactly once with closed', async (t) => {
  const c = await connect(t)
  await c.join('room:bye-1')
  await c.join('room:bye-2')
  c.ws.close()
  await c.closed
  await eventually(() => terminationsOf('room:bye-1').length + terminationsOf('room:bye-2').length === 2, 'both channels terminated')
  t.same(
    server.record.terminated.filter((r) => r.topic.startsWith('room:bye-')).map((r) => r.reason),
    ['closed', 'closed'],
  )
})

t.test('an unknown vsn is refused at connect with close code 4002', async (t) => {
  const c = await RawPhoenixClient.connect(server.base, '3.0.0')
  t.teardown(() => c.close())
  const closed = await c.closed
  t.equal(closed.code, 4002)
  t.match(closed.reason, /unsupported serializer version/)
})
