import t from 'tap'
import { RawPhoenixClient } from './helpers/phoenix-raw-client.js'
import { eventually, startPhoenixServer } from './helpers/phoenix-server.js'

// Idle timeout and slow-consumer cut-off, with limits small enough for a test.

t.test('idle timeout: a silent socket is closed with 4000 and its channels terminated', async (t) => {
  const server = await startPhoenixServer({ limits: { idleTimeoutMs: 300 } })
  t.teardown(() => server.close())
  const silent = await RawPhoenixClient.connect(server.base)
  const chatty = await RawPhoenixClient.connect(server.base)
  t.teardown(() => silent.close())
  t.teardown(() => chatty.close())
  const { joinRef } = await silent.join('room:idle')
  await chatty.join('room:chatty')
  // Heartbeats every 60 ms keep the other socket well inside its 300 ms budget.
  const beat = setInterval(() => chatty.send(null, chatty.nextRef(), 'phoenix', 'heartbeat', {}), 60)
  t.teardown(() => clearInterval(beat))

  const closed = await silent.closed
  t.same(closed, { code: 4000, reason: 'idle timeout' })
  await eventually(() => server.record.terminated.length > 0, 'the idle channel is terminated')
  t.same(server.record.terminated, [{ topic: 'room:idle', joinRef, reason: 'closed' }])
  t.equal(chatty.ws.readyState, chatty.ws.OPEN, 'a socket that heartbeats stays open')
  const echo = await chatty.call('room:chatty', 'echo', 'alive', chatty.received[0]!.joinRef)
  t.same(echo.payload.response, { echo: 'alive' })
})

t.test('slow consumer: a client that stops reading is cut off; another client is served meanwhile', async (t) => {
  const maxBufferedBytes = 256 * 1024
  const server = await startPhoenixServer({ limits: { maxBufferedBytes }, closeGraceMs: 200 })
  t.teardown(() => server.close())
  const slow = await RawPhoenixClient.connect(server.base)
  const fast = await RawPhoenixClient.connect(server.base)
  t.teardown(() => slow.close())
  t.teardown(() => fast.close())
  const slowJoin = await slow.join('room:slow')
  const fastJoin = await fast.join('room:fast')

  // 48 MiB is far beyond what kernel socket buffers can absorb, so the server's own queue must grow.
  slow.send(slowJoin.joinRef, 'flood', 'room:slow', 'flood', { count: 3072, size: 16 * 1024 })
  slow.pauseReading()
  const fastCount = 400
  const fastFlood = await fast.call('room:fast', 'flood', { count: fastCount, size: 4 * 1024 }, fastJoin.joinRef)
  t.equal(fastFlood.payload.status, 'ok')

  await eventually(() => server.record.terminated.some((r) => r.topic === 'room:slow'), 'the slow socket is cut off', 10_000)
  t.same(server.record.terminated, [{ topic: 'room:slow', joinRef: slowJoin.joinRef, reason: 'closed' }])
  const warning = server.logs.find((l) => l.msg === 'slow consumer: closing phoenix socket')
  t.ok(warning, 'cut-off logged')
  const { buffered, frameBytes } = warning!.obj as { buffered: number; frameBytes: number }
  t.ok(buffered + frameBytes > maxBufferedBytes, 'queued bytes plus the next frame are over the budget')

  await fast.waitFor((f) => f.event === 'flood' && f.payload.i === fastCount - 1, 'the last push of the healthy client', 10_000)
  t.equal(fast.received.filter((f) => f.event === 'flood').length, fastCount, 'every push reached the healthy client')
  const echo = await fast.call('room:fast', 'echo', 'still served', fastJoin.joinRef)
  t.same(echo.payload.response, { echo: 'still served' })

  slow.resumeReading()
  const closed = await slow.closed
  t.ok([4001, 1006].includes(closed.code), `slow client sees the close (${closed.code})`)
  t.ok(slow.received.filter((f) => f.event === 'flood').length < 3072, 'the slow client never got the whole flood')
})
