import { join } from 'node:path'
import t, { type Test } from 'tap'
import { createEngine } from '../lib/engine.js'
import { locate, ServerClient, type ClientReach } from '../lib/hosts/index.js'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { startServer } from './helpers/server.js'

// What the CLI reaches: a real server over HTTP for the swarms it runs, the
// database for the rest. The client's engine opens the server's database file.

async function setup(t: Test) {
  const server = await startServer(t)
  await server.app.swarmManager.start(swarmConfig('inside', [mockAgent('a', [{ match: '.*', response: 'ok' }]), mockAgent('b')], [['a', 'b']]))
  const client = createEngine({ dbPath: join(server.dir, 'swarms.db'), buffered: false })
  t.teardown(() => client.close())
  const reach: ClientReach = { local: () => client.reach, server: new ServerClient(server.http, null), recordedServer: null }
  return { server, client, reach }
}

t.test('a swarm inside the server is reached over HTTP, and the server locates it again on its side', async (t) => {
  const { server, client, reach } = await setup(t)
  const host = await locate('inside', reach)
  t.equal(host.kind, 'server')

  t.match(await host.sendTask({ agent: 'a', task: 'go' }), { delivery: 'server', url: server.http, response: { status: 'sent', agent: 'a', task: 'go', task_id: String } })
  t.same(await host.sendMessage({ from: 'a', to: 'b', content: 'hi' }), { status: 'routed', from: 'a', to: 'b', swarm: 'inside' })
  await t.rejects(host.sendMessage({ from: 'b', to: 'a', content: 'no edge' }), { code: 'GS_SERVER_ERROR', message: /no topology edge from "b" to "a"/ })
  t.match(await host.mutate({ op: 'scale', base: 'b', count: 1 }), { added: ['b_1'], removed: [], failed: [] })

  await host.stop()
  t.notOk(server.app.swarmManager.has('inside'), 'stopped inside the server, which is still up')
  t.equal(client.registry.get('inside')!.status, 'stopped')
})

t.test('the CLI\'s reach: running required, a task through any answering server, or the queue only', async (t) => {
  const { server, reach } = await setup(t)
  t.equal((await locate('inside', { ...reach, via: 'any' })).kind, 'server', 'a task goes to whatever server answers')
  await t.rejects(locate('ghost', reach), { code: 'GS_SWARM_NOT_FOUND' })

  // With the queue only, a swarm inside the recorded server cannot be reached: nothing would deliver the row.
  const recordedServer = { pid: process.pid, url: server.http }
  await t.rejects(locate('inside', { ...reach, via: 'queue', recordedServer }), { code: 'GS_SERVER_UNAVAILABLE', message: /a queued task would never be delivered/ })

  await server.app.swarmManager.stop('inside')
  await t.rejects(locate('inside', { ...reach, needRunning: true }), { code: 'GS_SWARM_NOT_RUNNING', message: 'swarm "inside" is not running (stopped)' })
  const stopped = await locate('inside', reach)
  t.equal(stopped.kind, 'daemon', 'a stopped row is read from the database')
  t.notOk(stopped.running)
})

t.test('pause, resume and skills of a swarm inside the server, over HTTP', async (t) => {
  const { reach } = await setup(t)
  const host = await locate('inside', reach)
  t.same(await host.pause(), { swarm: 'inside', status: 'paused', changed: true })
  t.match(await host.status(), { status: 'paused' })
  t.same(await host.resume(), { swarm: 'inside', status: 'running', changed: true })
  t.match(await host.mutate({ op: 'set_skill', agent: 'a', skill: 'research/web', content: 'hi {{agent}} → {{targets}}' }), { added: [], removed: [], failed: [] })
  t.same(await host.agentSkills('a'), [{ name: 'research/web', source: 'override', content: 'hi a → b' }])
})
