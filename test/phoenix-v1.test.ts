import t, { type Test } from 'tap'
import { RawPhoenixClient } from './helpers/phoenix-raw-client.js'
import { startPhoenixServer } from './helpers/phoenix-server.js'

// vsn 1.0.0 (and no vsn at all): JSON objects {topic, event, payload, ref}, no join_ref.

const server = await startPhoenixServer()
t.teardown(() => server.close())

async function connect(tt: Test, vsn: string | null): Promise<RawPhoenixClient> {
  const client = await RawPhoenixClient.connect(server.base, vsn)
  tt.teardown(() => client.close())
  return client
}

for (const vsn of ['1.0.0', null]) {
  t.test(`vsn ${vsn ?? 'absent'}: every frame out is an object without join_ref`, async (t) => {
    const c = await connect(t, vsn)
    const raw: unknown[] = []
    c.ws.on('message', (data) => raw.push(JSON.parse(data.toString())))
    const heartbeat = await c.call('phoenix', 'heartbeat', {})
    t.same(heartbeat.payload, { status: 'ok', response: {} })
    const { reply } = await c.join('room:v1', { pushOnJoin: true })
    t.equal(reply.payload.status, 'ok')
    const welcome = await c.waitFor((f) => f.event === 'welcome')
    t.ok(c.received.indexOf(reply) < c.received.indexOf(welcome), 'join reply before the push made during join')
    const echo = await c.call('room:v1', 'echo', { v: 1 })
    t.same(echo.payload.response, { echo: { v: 1 } })
    await c.call('room:v1', 'push', { p: 1 })
    const pushed = await c.waitFor((f) => f.event === 'pushed')
    t.same(pushed.payload, { p: 1 })
    t.ok(raw.length >= 5)
    for (const frame of raw) {
      t.notOk(Array.isArray(frame), 'object frame')
      t.same(Object.keys(frame as object).sort(), ['event', 'payload', 'ref', 'topic'])
    }
    t.same(raw.find((f) => (f as { event: string }).event === 'pushed'), { topic: 'room:v1', event: 'pushed', payload: { p: 1 }, ref: null })
  })
}

t.test('V1 leave, duplicate join and crash use ref null (V1 joins carry no join_ref)', async (t) => {
  const c = await connect(t, '1.0.0')
  await c.join('room:v1-dup')
  const second = await c.join('room:v1-dup')
  t.equal(second.reply.payload.status, 'ok')
  const close = c.received.find((f) => f.event === 'phx_close')
  t.same(close, { joinRef: null, ref: null, topic: 'room:v1-dup', event: 'phx_close', payload: {} })
  c.send(null, 'c1', 'room:v1-dup', 'crash', {})
  const error = await c.waitFor((f) => f.event === 'phx_error')
  t.same(error, { joinRef: null, ref: null, topic: 'room:v1-dup', event: 'phx_error', payload: {} })
  await c.join('room:v1-leave')
  const left = await c.call('room:v1-leave', 'phx_leave', {})
  t.same(left.payload, { status: 'ok', response: {} })
  await c.waitFor((f) => f.event === 'phx_close' && f.topic === 'room:v1-leave')
  const reasons = server.record.terminated.filter((r) => r.topic.startsWith('room:v1-')).map((r) => r.reason)
  t.same(reasons, ['rejoin', 'error', 'leave'])
})

t.test('V1 malformed frames: array frames and missing keys are dropped, the socket keeps working', async (t) => {
  const c = await connect(t, '1.0.0')
  c.sendRaw(JSON.stringify([null, 'v2-frame', 'phoenix', 'heartbeat', {}]))
  c.sendRaw(JSON.stringify({ topic: 'room:x', event: 'echo', ref: 'no-payload' }))
  const reply = await c.waitFor((f) => f.ref === 'no-payload')
  t.same(reply.payload, { status: 'error', response: { reason: 'malformed message' } })
  await c.sync()
  t.notOk(c.received.some((f) => f.ref === 'v2-frame'), 'a V2 frame is not understood on a V1 socket')
})
