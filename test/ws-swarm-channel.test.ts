import type { Channel } from 'phoenix'
import t, { type Test } from 'tap'
import { errors } from '../lib/errors.js'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { collect, outcome, phoenixSocket, startServer, until } from './helpers/server.js'

const researchSwarm = (name: string) =>
  swarmConfig(
    name,
    [
      mockAgent('researcher', [
        { match: '^research', response: 'Found three papers.\n@writer: summary of three papers' },
        { match: 'draft', response: 'ok' },
        { match: '^shout', response: '@all: attention everyone' },
        { match: '^bad', response: '@nobody: lost message' },
      ]),
      mockAgent('writer', [{ match: 'summary', response: 'Drafting.\n@researcher: draft ready' }]),
    ],
    [['researcher', 'writer'], ['writer', 'researcher']],
  )

/**
 * A reply travels the same socket, after every push the server queued before
 * it: once it is here, any push the traffic so far caused is here too. This is
 * how the tests prove that something was not pushed, without a fixed sleep.
 */
async function roundTrip(channel: Channel): Promise<void> {
  const status = await outcome(channel.push('get_status', {}))
  if (status.status !== 'ok') throw new Error(`get_status failed: ${JSON.stringify(status)}`)
}

/** A real server running `researchSwarm(name)`, and a phoenix client joined to it collecting `events`. */
async function joinedSwarm(t: Test, name: string, events: string[]) {
  const server = await startServer(t)
  const manager = server.app.swarmManager
  await manager.start(researchSwarm(name))
  const channel = phoenixSocket(t, server.socketUrl).channel(`swarm:${name}`, {})
  const pushes = collect(channel, events)
  const joined = await outcome(channel.join())
  if (joined.status !== 'ok') throw new Error(`join failed: ${JSON.stringify(joined)}`)
  return { server, manager, channel, pushes }
}

t.test('join: ok with {swarm}, swarm_not_found otherwise', async (t) => {
  const server = await startServer(t)
  await server.app.swarmManager.start(researchSwarm('joinable'))
  const socket = phoenixSocket(t, server.socketUrl)
  t.same(await outcome(socket.channel('swarm:joinable', {}).join()), { status: 'ok', response: { swarm: 'joinable' } })
  t.same(await outcome(socket.channel('swarm:missing', {}).join()), { status: 'error', response: { reason: 'swarm_not_found', code: errors.swarmNotFound.code } })
  t.same(await outcome(socket.channel('nope:x', {}).join()), { status: 'error', response: { reason: 'unmatched topic' } })
})

t.test('pushes from a real scripted swarm and the inbound events', async (t) => {
  const { manager, channel, pushes } = await joinedSwarm(t, 'live', ['agent_output', 'agent_status', 'message_routed', 'message_broadcast', 'swarm_started', 'swarm_stopped', 'log_entry', 'event'])

  t.same(await outcome(channel.push('send_task', { agent: 'researcher', task: 'research transformers' })), { status: 'ok', response: { status: 'sent' } })
  await until(() => pushes.some((p) => p.event === 'agent_output' && p.payload.agent === 'writer'), 'writer output')
  await until(() => pushes.filter((p) => p.event === 'agent_output').length === 3, 'three outputs')
  t.same(pushes.filter((p) => p.event === 'agent_output').map((p) => p.payload), [
    { agent: 'researcher', content: 'Found three papers.\n@writer: summary of three papers' },
    { agent: 'writer', content: 'Drafting.\n@researcher: draft ready' },
    { agent: 'researcher', content: 'ok' },
  ])
  const routed = pushes.filter((p) => p.event === 'message_routed').map((p) => p.payload)
  t.equal(routed.length, 2)
  t.match(routed[0], { swarm: 'live', from: 'researcher', to: 'writer', type: 'direct', content_preview: 'summary of three papers' })
  t.ok(typeof routed[0].timestamp === 'string')
  t.same(pushes.filter((p) => p.event === 'agent_status' && p.payload.agent === 'writer').map((p) => p.payload.state), ['working', 'idle'])

  await outcome(channel.push('send_task', { agent: 'researcher', task: 'shout' }))
  await until(() => pushes.some((p) => p.event === 'message_broadcast'), 'broadcast')
  t.match(pushes.find((p) => p.event === 'message_broadcast')!.payload, { from: 'researcher', to: ['writer'], type: 'broadcast' })

  const status = await outcome(channel.push('get_status', {}))
  t.equal(status.status, 'ok')
  t.equal(status.response.name, 'live')
  t.same(status.response.agents.map((a: { name: string }) => a.name), ['researcher', 'writer'])

  t.same(await outcome(channel.push('send_task', { agent: 'ghost', task: 'x' })), { status: 'error', response: { reason: ':agent_not_found', code: errors.agentNotFound.code } })
  t.same(await outcome(channel.push('send_task', { agent: 'researcher' })), { status: 'error', response: { reason: 'task must be a string', code: errors.invalidInput.code } })
  t.same(await outcome(channel.push('send_task', { task: 'x' })), { status: 'error', response: { reason: 'agent must be a non-empty string', code: errors.invalidInput.code } })
  t.same(await outcome(channel.push('dance', {})), { status: 'error', response: { reason: 'unknown_event', code: errors.unknownEvent.code } })
  t.equal((await outcome(channel.push('get_status', null as never))).status, 'ok', 'the channel survives bad input')

  t.notOk(pushes.some((p) => p.event === 'log_entry' || p.event === 'event'), 'no log_entry or event without a subscription')

  await manager.stop('live')
  await until(() => pushes.some((p) => p.event === 'swarm_stopped'), 'swarm_stopped')
  t.same(pushes.find((p) => p.event === 'swarm_stopped')!.payload, {})
  await manager.start(researchSwarm('live'))
  await until(() => pushes.some((p) => p.event === 'swarm_started'), 'swarm_started')
  t.same(pushes.find((p) => p.event === 'swarm_started')!.payload, { status: 'running' })
})

t.test('log subscriptions: per agent, two independent, unsubscribe by matching agent', async (t) => {
  const { manager, channel, pushes: logs } = await joinedSwarm(t, 'logs', ['log_entry'])

  const sub = await outcome(channel.push('subscribe_logs', { agent: 'writer' }))
  t.same(sub.response.subscribed, true)
  t.same(sub.response.agent, 'writer')
  const history = sub.response.recent_logs as { agent: string; event_type: string; metadata: { state?: string } }[]
  t.ok(history.every((l) => l.agent === 'writer'), 'only the writer history')
  t.same(history.filter((l) => l.event_type !== 'agent_status').map((l) => l.event_type), ['agent_started'])
  t.same(history.filter((l) => l.event_type === 'agent_status').map((l) => l.metadata.state), ['idle'], 'state changes are debug events too')
  manager.sendTask('logs', 'researcher', 'research x')
  await until(() => logs.some((l) => l.payload.event_type === 'agent_output'), 'writer output log')
  t.ok(logs.every((l) => l.payload.agent === 'writer'), 'only writer entries')
  t.same(Object.keys(logs[0]!.payload).sort(), ['agent', 'event_type', 'id', 'level', 'message', 'metadata', 'timestamp'])

  const all = await outcome(channel.push('subscribe_logs', {}))
  t.same(all.response.agent, null)
  const recent = all.response.recent_logs as { id: number; agent: string }[]
  t.ok(recent.length > 5 && recent.some((l) => l.agent === 'researcher'), 'recent logs of every agent')
  t.same(recent.map((l) => l.id), [...recent.map((l) => l.id)].sort((a, b) => a - b), 'oldest first')

  t.same((await outcome(channel.push('unsubscribe_logs', { agent: 'writer' }))).response, { unsubscribed: true, agent: 'writer' })
  logs.length = 0
  manager.sendTask('logs', 'researcher', 'bad')
  await until(() => logs.some((l) => l.payload.event_type === 'invalid_route'), 'the all-agents subscription still streams')
  t.same((await outcome(channel.push('unsubscribe_logs', {}))).response, { unsubscribed: true, agent: null })
  logs.length = 0
  manager.sendTask('logs', 'researcher', 'research y')
  await until(() => manager.history('logs', 'writer').length >= 4, 'more traffic')
  await roundTrip(channel)
  t.same(logs, [], 'no log_entry after both subscriptions are gone')
})

t.test('event subscriptions accumulate filter sets; unsubscribe_events clears all', async (t) => {
  const { manager, channel, pushes: events } = await joinedSwarm(t, 'ev', ['event'])

  const warn = await outcome(channel.push('subscribe_events', { filters: { level: 'warning', bogus: 'ignored' } }))
  t.same(warn.response.filters, { level: 'warning' })
  const routing = await outcome(channel.push('subscribe_events', { filters: { category: 'routing', event_type: 'message_routed' } }))
  t.same(routing.response.subscribed, true)
  manager.sendTask('ev', 'researcher', 'bad')
  manager.sendTask('ev', 'researcher', 'research z')
  await until(() => events.some((e) => e.payload.event_type === 'invalid_route') && events.filter((e) => e.payload.event_type === 'message_routed').length === 2, 'both filter sets')
  await roundTrip(channel)
  t.same([...new Set(events.map((e) => e.payload.event_type))].sort(), ['invalid_route', 'message_routed'], 'only events matching one of the sets')
  t.same(Object.keys(events[0]!.payload).sort(), ['agent', 'category', 'event_type', 'id', 'level', 'message', 'metadata', 'swarm', 'timestamp'])
  t.equal(events[0]!.payload.swarm, 'ev')

  const everything = await outcome(channel.push('subscribe_events', {}))
  t.same(everything.response.filters, {})
  t.ok(everything.response.recent_events.length > 5)
  t.same((await outcome(channel.push('unsubscribe_events', { whatever: 1 }))).response, { unsubscribed: true })
  events.length = 0
  manager.sendTask('ev', 'researcher', 'bad')
  await until(() => manager.swarm('ev').router.messageCount >= 2, 'traffic')
  await roundTrip(channel)
  t.same(events, [], 'unsubscribe_events cleared every filter set')
  t.same((await outcome(channel.push('subscribe_events', { filters: { level: { nested: true } } }))).response, { reason: 'filters.level must be a string', code: errors.invalidInput.code })
})

t.test('recent history: last 50, oldest first', async (t) => {
  const server = await startServer(t)
  await server.app.swarmManager.start(researchSwarm('hist'))
  for (let i = 0; i < 70; i++) server.app.engine.spine.emit({ swarm: 'hist', agent: 'writer', event_type: 'agent_output', message: `line ${i}` })
  const socket = phoenixSocket(t, server.socketUrl)
  const channel = socket.channel('swarm:hist', {})
  await outcome(channel.join())
  const logs = (await outcome(channel.push('subscribe_logs', { agent: 'writer' }))).response.recent_logs as { message: string }[]
  t.equal(logs.length, 50)
  t.same(logs.map((l) => l.message), Array.from({ length: 50 }, (_, i) => `line ${i + 20}`))
  const events = (await outcome(channel.push('subscribe_events', { filters: { event_type: 'agent_output' } }))).response.recent_events as { message: string }[]
  t.equal(events.length, 50)
  t.equal(events.at(-1)!.message, 'line 69')
})

t.test('leaving the channel or closing the socket releases every PubSub subscription', async (t) => {
  const server = await startServer(t)
  await server.app.swarmManager.start(researchSwarm('rel'))
  const before = server.app.pubsub.listenerCount()
  const socket = phoenixSocket(t, server.socketUrl)
  const a = socket.channel('swarm:rel', {})
  await outcome(a.join())
  t.equal(server.app.pubsub.listenerCount(), before + 5, 'four swarm topics and the event stream')
  await outcome(a.leave())
  await until(() => server.app.pubsub.listenerCount() === before, 'released on leave')
  const b = socket.channel('swarm:rel', {})
  await outcome(b.join())
  t.equal(server.app.pubsub.listenerCount(), before + 5)
  socket.disconnect()
  await until(() => server.app.pubsub.listenerCount() === before, 'released on socket close')
  t.pass('released')
})
