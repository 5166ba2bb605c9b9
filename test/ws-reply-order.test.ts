import t, { type Test } from 'tap'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { RawPhoenixClient } from './helpers/phoenix-raw-client.js'
import { outcome, phoenixSocket, startServer } from './helpers/server.js'

// On the real /swarm/websocket with a real swarm: the reply to a send_task
// reaches the client before the agent_status and agent_output pushes that
// send_task causes, with raw frames and with the official client.

const server = await startServer(t)
await server.app.swarmManager.start(swarmConfig('ordered', [mockAgent('echo', [], { backend: { type: 'mock', echo: true } })]))

async function connect(t: Test, vsn: string | null): Promise<RawPhoenixClient> {
  const c = await RawPhoenixClient.connect(server.socketUrl, vsn)
  t.teardown(() => c.close())
  return c
}

for (const vsn of ['2.0.0', '1.0.0']) {
  t.test(`raw frames (vsn ${vsn}): phx_reply, then agent_status working, agent_output, agent_status idle`, async (t) => {
    const c = await connect(t, vsn)
    const { joinRef } = await c.join('swarm:ordered')
    const task = `ordered over ${vsn}`
    const reply = await c.call('swarm:ordered', 'send_task', { agent: 'echo', task }, c.isV2 ? joinRef : null)
    t.same(reply.payload, { status: 'ok', response: { status: 'sent' } })
    const idle = await c.waitFor((f) => f.event === 'agent_status' && f.payload.state === 'idle', 'the agent back to idle')
    const turn = c.received.slice(c.received.indexOf(reply), c.received.indexOf(idle) + 1)
    t.same(
      turn.map((f) => (f.event === 'phx_reply' ? 'phx_reply' : `${f.event}:${f.payload.state ?? f.payload.content}`)),
      ['phx_reply', 'agent_status:working', `agent_output:${task}`, 'agent_status:idle'],
    )
    t.notOk(c.received.slice(0, c.received.indexOf(reply)).some((f) => f.event.startsWith('agent_')), 'no push of this turn came before the reply')
  })
}

t.test('official client: the send_task reply callback runs before the pushes of the turn it started', async (t) => {
  const socket = phoenixSocket(t, server.socketUrl)
  const channel = socket.channel('swarm:ordered', {})
  const log: string[] = []
  const idle = new Promise<void>((resolve) =>
    channel.on('agent_status', (p: { state: string }) => {
      log.push(`agent_status:${p.state}`)
      if (p.state === 'idle') resolve()
    }),
  )
  channel.on('agent_output', (p: { content: string }) => void log.push(`agent_output:${p.content}`))
  t.equal((await outcome(channel.join())).status, 'ok')
  // Logged in the receive callback itself: a promise's then would run only after the frames the client read in the same chunk.
  const sent = new Promise<void>((resolve) => {
    const push = channel.push('send_task', { agent: 'echo', task: 'official order' })
    for (const status of ['ok', 'error', 'timeout'] as const) push.receive(status, () => resolve(void log.push(`reply:${status}`)))
  })
  await Promise.all([sent, idle])
  t.same(log, ['reply:ok', 'agent_status:working', 'agent_output:official order', 'agent_status:idle'])
})
