import t from 'tap'
import { CloseCode, ok, PhoenixSocket, serializerV2, type Channel, type ChannelContext, type Reply, type SocketLimits } from '../lib/phoenix/index.js'
import { eventually } from './helpers/phoenix-server.js'

// PhoenixSocket against a fake transport: lifecycle edges that a real socket makes hard to time.

interface Harness {
  socket: PhoenixSocket
  sent: unknown[][]
  closes: Array<[number, string]>
  terminated: string[]
  contexts: ChannelContext[]
  buffered: { bytes: number }
}

function harness(channel: Partial<Channel> = {}, limits: Partial<SocketLimits> = {}, send?: (text: string) => void): Harness {
  const h = { sent: [], closes: [], terminated: [], contexts: [], buffered: { bytes: 0 } } as unknown as Harness
  h.socket = new PhoenixSocket({
    transport: {
      send: send ?? ((text) => h.sent.push(JSON.parse(text))),
      close: (code, reason) => h.closes.push([code, reason]),
      bufferedAmount: () => h.buffered.bytes,
    },
    serializer: serializerV2,
    channels: [
      {
        pattern: 'room:*',
        create(ctx) {
          h.contexts.push(ctx)
          return {
            join: () => ok(),
            handleIn: () => ok(),
            terminate: (reason) => h.terminated.push(`${ctx.topic}:${reason}`),
            ...channel,
          }
        },
      },
    ],
    limits,
  })
  return h
}

const frame = (...f: unknown[]) => JSON.stringify(f)

t.test('socket closed during an async join: the join reply is not sent, terminate(closed) once it resolves', async (t) => {
  let resolveJoin!: (r: Reply) => void
  const h = harness({ join: () => new Promise<Reply>((resolve) => (resolveJoin = resolve)) })
  h.socket.handleText(frame('1', '1', 'room:a', 'phx_join', {}))
  h.socket.handleClose()
  t.same(h.terminated, [], 'nothing to terminate yet: the join has not succeeded')
  resolveJoin(ok())
  await new Promise((resolve) => setImmediate(resolve))
  t.same(h.terminated, ['room:a:closed'])
  t.same(h.sent, [], 'nothing sent after close')
})

t.test('handleClose terminates each joined channel once; later frames and pushes are no-ops', async (t) => {
  const h = harness()
  h.socket.handleText(frame('1', '1', 'room:a', 'phx_join', {}))
  h.socket.handleText(frame('2', '2', 'room:b', 'phx_join', {}))
  const before = h.sent.length
  h.socket.handleClose()
  h.socket.handleClose()
  h.socket.close()
  t.same(h.terminated.sort(), ['room:a:closed', 'room:b:closed'])
  t.same(h.closes, [], 'handleClose does not close the (already gone) transport again')
  h.contexts[0]!.push('late', {})
  h.socket.handleText(frame(null, '3', 'phoenix', 'heartbeat', {}))
  t.equal(h.sent.length, before)
  t.ok(h.socket.isClosed)
  t.equal(h.socket.channelCount, 0)
})

t.test('close() from the server closes the transport and terminates channels', async (t) => {
  const h = harness()
  h.socket.handleText(frame('1', '1', 'room:a', 'phx_join', {}))
  h.socket.close()
  t.same(h.closes, [[CloseCode.normal, 'server closing']])
  t.same(h.terminated, ['room:a:closed'])
})

t.test('a terminate that throws is logged and contained', async (t) => {
  const h = harness({ terminate: () => { throw new Error('bad terminate') } })
  h.socket.handleText(frame('1', '1', 'room:a', 'phx_join', {}))
  h.socket.handleText(frame('1', '2', 'room:a', 'phx_leave', {}))
  t.same(h.sent.map((m) => m[3]), ['phx_reply', 'phx_reply', 'phx_close'])
  h.socket.handleText(frame('3', '3', 'room:a', 'phx_join', {}))
  t.equal(h.socket.channelCount, 1)
})

t.test('slow consumer: over maxBufferedBytes the socket closes with 4001 instead of sending', async (t) => {
  const h = harness({}, { maxBufferedBytes: 100 })
  h.socket.handleText(frame('1', '1', 'room:a', 'phx_join', {}))
  h.buffered.bytes = 101
  h.contexts[0]!.push('big', {})
  t.same(h.closes, [[CloseCode.slowConsumer, 'slow consumer']])
  t.same(h.terminated, ['room:a:closed'])
  t.equal(h.sent.length, 1, 'only the join reply went out')
})

t.test('a transport whose send throws gets the socket closed with 1011', async (t) => {
  const h = harness({}, {}, () => { throw new Error('EPIPE') })
  h.socket.handleText(frame(null, '1', 'phoenix', 'heartbeat', {}))
  t.same(h.closes, [[CloseCode.internalError, 'send failed']])
})

t.test('a reply that cannot be serialized becomes an error reply', async (t) => {
  const h = harness({ handleIn: () => ok({ big: 10n }) })
  h.socket.handleText(frame('1', '1', 'room:a', 'phx_join', {}))
  h.socket.handleText(frame('1', '2', 'room:a', 'ev', {}))
  t.same(h.sent[1], ['1', '2', 'room:a', 'phx_reply', { status: 'error', response: { reason: 'reply not serializable' } }])
  h.contexts[0]!.push('bad', { n: 1n })
  t.equal(h.sent.length, 2, 'an unserializable push is dropped')
})

t.test('messages queued behind a busy topic are bounded', async (t) => {
  let release!: () => void
  const h = harness({ handleIn: (event) => (event === 'hold' ? new Promise<Reply>((resolve) => (release = () => resolve(ok()))) : ok()) }, { maxPendingPerTopic: 2 })
  h.socket.handleText(frame('1', '1', 'room:a', 'phx_join', {}))
  h.socket.handleText(frame('1', 'hold', 'room:a', 'hold', {}))
  for (const ref of ['q1', 'q2', 'q3']) h.socket.handleText(frame('1', ref, 'room:a', 'ev', {}))
  t.same(h.sent.slice(1), [['1', 'q3', 'room:a', 'phx_reply', { status: 'error', response: { reason: 'too many pending messages' } }]])
  release()
  await new Promise((resolve) => setImmediate(resolve))
  t.same(h.sent.slice(2).map((m) => m[1]), ['hold', 'q1', 'q2'])
})

t.test('idle timeout closes with 4000 and terminates channels', async (t) => {
  const h = harness({}, { idleTimeoutMs: 30 })
  h.socket.handleText(frame('1', '1', 'room:a', 'phx_join', {}))
  await eventually(() => h.closes.length > 0, 'the idle close')
  t.same(h.closes, [[CloseCode.idleTimeout, 'idle timeout']])
  t.same(h.terminated, ['room:a:closed'])
})
