import t from 'tap'
import { ChannelServer, DEFAULT_LIMITS, ok, refuse, type Channel, type ChannelContext, type ChannelServerHost, type Message, type Reply, type SocketLimits } from '../lib/phoenix/index.js'
import { WarningAggregator } from '../lib/phoenix/log-aggregator.js'

// A ChannelServer on its own, its socket replaced by a host that records what
// it is asked to send: ordering, held pushes, limits and the ways a channel ends.

interface Harness {
  server: ChannelServer
  /** frames sent, as `reply:<ref>:<status>`, `push:<event>`, `phx_close:<ref>`, `phx_error:<ref>` */
  wire: string[]
  warnings: string[]
  ended: Message[][]
  terminated: string[]
  ctx: () => ChannelContext
  deliver(ref: string, event: string, payload?: unknown, joinRef?: string | null): void
}

const join = (ref = '1', payload: unknown = {}): Message => ({ joinRef: ref, ref, topic: 'room:a', event: 'phx_join', payload })

/** `channel` may be a function of the context, for callbacks that run inside harness() itself (the join). */
function harness(channel: Partial<Channel> | ((ctx: ChannelContext) => Partial<Channel>) = {}, limits: Partial<SocketLimits> = {}): Harness {
  const h = { wire: [], warnings: [], ended: [], terminated: [] } as unknown as Harness
  let context: ChannelContext | undefined
  const logger = { debug() {}, info() {}, warn: (_: object, msg: string) => void h.warnings.push(msg), error() {} }
  const host: ChannelServerHost = {
    params: {},
    limits: { ...DEFAULT_LIMITS, ...limits },
    logger,
    warnings: new WarningAggregator(logger, 60_000),
    send: (m) => {
      if (m.event === 'phx_reply') h.wire.push(`reply:${m.ref}:${(m.payload as Reply).status}`)
      else if (m.event === 'phx_close' || m.event === 'phx_error') h.wire.push(`${m.event}:${m.ref}`)
      else h.wire.push(`push:${m.event}`)
    },
    ended: (_server, leftover) => void h.ended.push(leftover),
  }
  const definition = {
    pattern: 'room:*',
    create(ctx: ChannelContext): Channel {
      context = ctx
      const own = typeof channel === 'function' ? channel(ctx) : channel
      return { join: () => ok(), handleIn: () => ok(), terminate: (reason) => void h.terminated.push(reason), ...own }
    },
  }
  const first = join()
  h.server = new ChannelServer(host, definition, first)
  h.ctx = () => context as ChannelContext
  h.deliver = (ref, event, payload = {}, joinRef = '1') => h.server.deliver({ joinRef, ref, topic: 'room:a', event, payload })
  h.server.deliver(first)
  return h
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

t.test('sync handler: its pushes follow its reply in the order made; a push between messages goes out at once', async (t) => {
  const h = harness({
    handleIn(event) {
      h.ctx().push(`${event}-1`, {})
      h.ctx().push(`${event}-2`, {})
      return ok()
    },
  })
  h.deliver('2', 'a')
  h.ctx().push('between', {})
  t.same(h.wire, ['reply:1:ok', 'reply:2:ok', 'push:a-1', 'push:a-2', 'push:between'])
})

t.test('async handler: pushes held until its reply, later messages wait in the mailbox', async (t) => {
  let release!: () => void
  const h = harness({
    handleIn(event) {
      if (event !== 'slow') return ok()
      h.ctx().push('before-await', {})
      return new Promise<Reply>((resolve) => (release = () => resolve(ok())))
    },
  })
  h.deliver('2', 'slow')
  h.ctx().push('from-elsewhere', {})
  h.deliver('3', 'fast')
  t.same(h.wire, ['reply:1:ok'], 'nothing of the slow message goes out before its reply')
  h.ctx().push('after-await', {})
  release()
  await tick()
  t.same(h.wire, ['reply:1:ok', 'reply:2:ok', 'push:before-await', 'push:from-elsewhere', 'push:after-await', 'reply:3:ok'])
})

t.test('held pushes are bounded by maxPendingPerTopic: the rest are dropped with one aggregated warning', async (t) => {
  const h = harness({
    handleIn() {
      for (let i = 0; i < 5; i++) h.ctx().push(`p${i}`, {})
      return ok()
    },
  }, { maxPendingPerTopic: 2 })
  h.deliver('2', 'many')
  t.same(h.wire, ['reply:1:ok', 'reply:2:ok', 'push:p0', 'push:p1'])
  t.same(h.warnings, ['push before a reply dropped: too many held'], 'three drops, one line until the interval passes')
})

t.test('pushes made during the join follow the join reply, bounded the same way', async (t) => {
  const h = harness((ctx) => ({
    join() {
      for (let i = 0; i < 3; i++) ctx.push(`early${i}`, {})
      return ok()
    },
  }), { maxPendingPerTopic: 2 })
  t.same(h.wire, ['reply:1:ok', 'push:early0', 'push:early1'])
  t.same(h.warnings, ['push before join reply dropped: too many queued'])
})

t.test('a mailbox over maxPendingPerTopic refuses the message', async (t) => {
  let release!: () => void
  const h = harness({ handleIn: (event) => (event === 'hold' ? new Promise<Reply>((resolve) => (release = () => resolve(ok()))) : ok()) }, { maxPendingPerTopic: 1 })
  h.deliver('2', 'hold')
  h.deliver('3', 'queued')
  h.deliver('4', 'refused')
  t.same(h.wire, ['reply:1:ok', 'reply:4:error'])
  release()
  await tick()
  t.same(h.wire.slice(2), ['reply:2:ok', 'reply:3:ok'])
})

t.test('leave: ok reply, phx_close, terminate(leave), nothing left over', async (t) => {
  const h = harness()
  h.deliver('2', 'phx_leave')
  t.same(h.wire, ['reply:1:ok', 'reply:2:ok', 'phx_close:1'])
  t.same(h.terminated, ['leave'])
  t.same(h.ended, [[]])
  h.ctx().push('late', {})
  h.server.close()
  t.equal(h.wire.length, 3, 'an ended server sends nothing')
  t.same(h.terminated, ['leave'], 'terminate is called once')
})

t.test('rejoin: phx_close with the old join_ref, terminate(rejoin), the join and what followed it handed back in order', async (t) => {
  let release!: () => void
  const h = harness({ handleIn: (event) => (event === 'hold' ? new Promise<Reply>((resolve) => (release = () => resolve(ok()))) : ok()) })
  h.deliver('2', 'hold')
  h.server.deliver(join('5'))
  h.deliver('6', 'after', {}, '5')
  release()
  await tick()
  t.same(h.wire, ['reply:1:ok', 'reply:2:ok', 'phx_close:1'])
  t.same(h.terminated, ['rejoin'])
  t.same(h.ended.map((left) => left.map((m) => `${m.event}:${m.ref}`)), [['phx_join:5', 'after:6']])
})

t.test('a message with a stale join_ref is ignored without a reply', async (t) => {
  const h = harness()
  h.deliver('2', 'ev', {}, 'old')
  h.deliver('3', 'ev', {}, null)
  h.deliver('4', 'ev')
  t.same(h.wire, ['reply:1:ok', 'reply:4:ok'])
})

t.test('a crash: the pushes made before it, then phx_error, terminate(error), later messages handed back', async (t) => {
  let fail!: (err: Error) => void
  const h = harness({
    handleIn() {
      h.ctx().push('before-crash', {})
      return new Promise<Reply>((_, reject) => (fail = reject))
    },
  })
  h.deliver('2', 'boom')
  h.deliver('3', 'queued')
  fail(new Error('handler exploded'))
  await tick()
  t.same(h.wire, ['reply:1:ok', 'push:before-crash', 'phx_error:1'])
  t.same(h.terminated, ['error'])
  t.same(h.ended.map((left) => left.map((m) => m.ref)), [['3']])
})

t.test('a refused join: error reply, early pushes dropped, no terminate, the topic handed back', async (t) => {
  const h = harness((ctx) => ({
    join() {
      ctx.push('early', {})
      return refuse('no')
    },
  }))
  t.same(h.wire, ['reply:1:error'])
  t.same(h.terminated, [])
  t.same(h.ended, [[]])
})

t.test('close(): a joined channel terminates with closed once; one still joining is told when its join succeeds', async (t) => {
  const joined = harness()
  joined.server.close()
  joined.server.close()
  t.same(joined.terminated, ['closed'])
  t.same(joined.ended, [], 'the socket closed it, so nothing is handed back')

  let resolveJoin!: (r: Reply) => void
  const joining = harness({ join: () => new Promise<Reply>((resolve) => (resolveJoin = resolve)) })
  joining.server.close()
  t.same(joining.terminated, [])
  resolveJoin(ok())
  await tick()
  t.same(joining.terminated, ['closed'])
  t.same(joining.wire, [], 'no join reply after close')
})

t.test('close() while an async handler runs: no reply, no held pushes, nothing more handled', async (t) => {
  let release!: () => void
  const h = harness({
    handleIn() {
      h.ctx().push('held', {})
      return new Promise<Reply>((resolve) => (release = () => resolve(ok())))
    },
  })
  h.deliver('2', 'slow')
  h.deliver('3', 'queued')
  h.server.close()
  release()
  await tick()
  t.same(h.wire, ['reply:1:ok'])
  t.same(h.terminated, ['closed'])
})
