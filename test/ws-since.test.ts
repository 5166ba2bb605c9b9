import t, { type Test } from 'tap'
import { errors } from '../lib/errors.js'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { collect, outcome, phoenixSocket, startServer, until, type TestServer } from './helpers/server.js'

type Stored = { id: number; agent: string | null; event_type: string }

const echoSwarm = (name: string) => swarmConfig(name, [mockAgent('echo', [], { backend: { type: 'mock', script: [], echo: true } }), mockAgent('other', [], { backend: { type: 'mock', script: [], echo: true } })])

/** Sends `n` tasks and waits until each one's output is stored. */
async function work(server: TestServer, swarm: string, agent: string, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) server.app.swarmManager.sendTask(swarm, agent, `${prefix} ${i} ${'x'.repeat(600)}`)
  await until(
    () => server.app.eventStore.query({ swarm, agent, event_type: 'agent_output', limit: 1000 }).filter((e) => e.message.startsWith(`${prefix} `)).length === n,
    `${n} outputs of ${prefix}`,
    30_000,
  )
}

function storedAfter(server: TestServer, swarm: string, since: number, agent?: string): number[] {
  return server.app.eventStore.query({ swarm, ...(agent ? { agent } : {}), afterId: since, limit: 1000 }).map((e) => e.id)
}

async function catchUp(t: Test, stream: 'events' | 'logs') {
  const server = await startServer(t, { socket: { maxReplyBytes: 8 * 1024 } })
  const swarm = `since-${stream}`
  await server.app.swarmManager.start(echoSwarm(swarm))
  const subscribe = stream === 'events' ? 'subscribe_events' : 'subscribe_logs'
  const listKey = stream === 'events' ? 'recent_events' : 'recent_logs'
  const push = stream === 'events' ? 'event' : 'log_entry'
  const args = stream === 'events' ? { filters: {} } : { agent: 'echo' }
  const agentFilter = stream === 'logs' ? 'echo' : undefined

  // A first visit, then the client goes away.
  const first = phoenixSocket(t, server.socketUrl)
  const before = first.channel(`swarm:${swarm}`, {})
  await outcome(before.join())
  await work(server, swarm, 'echo', 'early', 3)
  const seen = (await outcome(before.push(subscribe, args))).response[listKey] as Stored[]
  const lastSeen = seen.at(-1)!.id
  first.disconnect()

  await work(server, swarm, 'echo', 'missed', 20)
  await work(server, swarm, 'other', 'missed-other', 5)
  const missed = storedAfter(server, swarm, lastSeen, agentFilter)
  t.ok(missed.length > 50, `${missed.length} events missed`)

  // Back: page with since until caught up, while the swarm keeps working.
  const channel = phoenixSocket(t, server.socketUrl).channel(`swarm:${swarm}`, {})
  const pushes = collect(channel, [push])
  await outcome(channel.join())
  const paged: Stored[] = []
  let since = lastSeen
  let pages = 0
  for (;;) {
    const reply = await outcome(channel.push(subscribe, { ...args, since }))
    t.equal(reply.status, 'ok')
    pages += 1
    const items = reply.response[listKey] as Stored[]
    paged.push(...items)
    if (!reply.response.more) break
    t.ok(items.length > 0, 'a page that says more carries events')
    since = items.at(-1)!.id
    if (pages === 2) await work(server, swarm, 'echo', 'during', 4)
    if (pages > 200) throw new Error('paging does not end')
  }
  t.ok(pages > 2, `${pages} pages`)
  t.same(pushes, [], 'nothing is pushed for the subscription while it catches up')

  await work(server, swarm, 'echo', 'live', 3)
  const expected = storedAfter(server, swarm, lastSeen, agentFilter)
  await until(() => paged.length + pushes.length >= expected.length, 'every event after the last seen one', 30_000)
  const got = [...paged.map((e) => e.id), ...pushes.map((p) => (p.payload as Stored).id)]
  t.same(got, expected, 'every event after since exactly once, in order: pages, then live pushes')
  t.ok(pushes.length > 0, 'live events are pushed after the catch-up')
  if (agentFilter) t.ok([...paged, ...pushes.map((p) => p.payload as Stored)].every((e) => e.agent === agentFilter), 'only the subscribed agent')
}

t.test('subscribe_events with since: a client away for > 50 events gets every one, paged, then live ones', (t) => catchUp(t, 'events'))
t.test('subscribe_logs with since: the same for one agent', (t) => catchUp(t, 'logs'))

t.test('since is validated; without it the reply is the seed one', async (t) => {
  const server = await startServer(t)
  await server.app.swarmManager.start(echoSwarm('since-checks'))
  const channel = phoenixSocket(t, server.socketUrl).channel('swarm:since-checks', {})
  await outcome(channel.join())
  const refusal = { status: 'error', response: { reason: 'since must be an event id: an integer >= 0', code: errors.invalidInput.code } }
  for (const since of [-1, 1.5, '3', {}, [], true, 2 ** 60]) {
    t.same(await outcome(channel.push('subscribe_events', { since })), refusal, `events since ${JSON.stringify(since)}`)
    t.same(await outcome(channel.push('subscribe_logs', { since })), refusal, `logs since ${JSON.stringify(since)}`)
  }
  const plain = await outcome(channel.push('subscribe_events', {}))
  t.same(Object.keys(plain.response).sort(), ['filters', 'recent_events', 'subscribed'], 'no more / truncated without since when nothing is cut')
  const nullSince = await outcome(channel.push('subscribe_logs', { since: null }))
  t.same(Object.keys(nullSince.response).sort(), ['agent', 'recent_logs', 'subscribed'], 'since null is no since')
  const caughtUp = await outcome(channel.push('subscribe_events', { since: 0 }))
  t.equal(caughtUp.response.more, false, 'a since reply always says whether more follows')
})

t.test('since on the same filters as a live subscription takes it over: no event twice, one subscription after', async (t) => {
  const server = await startServer(t, { socket: { maxReplyBytes: 8 * 1024 } })
  await server.app.swarmManager.start(echoSwarm('since-takeover'))
  const channel = phoenixSocket(t, server.socketUrl).channel('swarm:since-takeover', {})
  const pushes = collect(channel, ['event'])
  await outcome(channel.join())
  const live = await outcome(channel.push('subscribe_events', { filters: { category: 'agent' } }))
  const floor = (live.response.recent_events as Stored[]).at(-1)?.id ?? 0
  await work(server, 'since-takeover', 'echo', 'first', 10)
  const firstIds = server.app.eventStore.query({ swarm: 'since-takeover', category: 'agent', afterId: floor, limit: 1000 }).map((e) => e.id)
  await until(() => pushes.length === firstIds.length, 'the live pushes of the first batch')
  const from = firstIds[2]!
  const before = pushes.length

  const paged: Stored[] = []
  let since = from
  for (let page = 0; ; page++) {
    const reply = await outcome(channel.push('subscribe_events', { filters: { category: 'agent' }, since }))
    paged.push(...(reply.response.recent_events as Stored[]))
    if (!reply.response.more) break
    since = paged.at(-1)!.id
    if (page === 0) await work(server, 'since-takeover', 'echo', 'during', 3)
  }
  await work(server, 'since-takeover', 'echo', 'after', 2)
  const expected = server.app.eventStore.query({ swarm: 'since-takeover', category: 'agent', afterId: from, limit: 1000 }).map((e) => e.id)
  await until(() => paged.length + pushes.length - before >= expected.length, 'every event after since')
  const got = [...paged.map((e) => e.id), ...pushes.slice(before).map((p) => (p.payload as Stored).id)]
  t.same(got, expected, 'pages then pushes: each event after since once, in order')
  t.equal((await outcome(channel.push('unsubscribe_events', {}))).status, 'ok')
})
