import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { untilChanged } from '../lib/db/change-watch.js'
import { EXAMPLES, cliWorkspace } from './helpers/cli.js'
import { api, watch } from './helpers/objects.js'
import { outcome, startServer } from './helpers/server.js'

// examples/bridge across processes: the office runs in a daemon, the lobby
// inside the server, and each has a bridge into the other. A message from the
// lobby reaches the daemon through its command queue; one from the daemon
// reaches the server-run lobby through the same queue, which the server reads
// for the swarms it runs. The phoenix client watches both.

const lobby = `
name: lobby
agents:
  - name: alice
    backend: mock
    config:
      script:
        - match: "^hello"
          response: "@bridge: is anyone in the office?"
objects:
  - name: bridge
    handler: ./bridge.mjs
    config: { swarm: office, to: bob }
topology:
  - [alice, bridge]
  - [gateway, alice]
`

const office = `
name: office
agents:
  - name: bob
    backend: mock
    config:
      script:
        - match: "says: "
          response: "Yes, bob here. Come on in.\\n@back: the door is open"
objects:
  - name: back
    handler: ./bridge.mjs
    config: { swarm: lobby, to: alice }
topology:
  - [gateway, bob]
  - [bob, back]
`

t.test('bridge between a daemon swarm and a server swarm: a message crosses in both directions', async (t) => {
  const ws = cliWorkspace(t)
  mkdirSync(ws.dir, { recursive: true })
  copyFileSync(join(EXAMPLES, 'bridge', 'bridge.mjs'), join(ws.dir, 'bridge.mjs'))
  writeFileSync(join(ws.dir, 'lobby.yaml'), lobby)
  writeFileSync(join(ws.dir, 'office.yaml'), office)

  const started = await ws.run(['start', 'office.yaml'])
  t.equal(started.code, 0, started.stderr)
  const server = await startServer(t, { dbPath: ws.db, cwd: ws.dir })
  const inServer = await api(server, 'POST', '/api/swarms', { config_path: 'lobby.yaml' })
  t.equal(inServer.status, 201, JSON.stringify(inServer.body))
  t.match((await api(server, 'GET', '/api/swarms/office')).body, { source: 'daemon' })

  const lobbyWatch = await watch(t, server, 'lobby')
  const officeWatch = await watch(t, server, 'office')
  t.equal((await outcome(lobbyWatch.channel.push('send_task', { agent: 'alice', task: 'hello' }))).status, 'ok')

  // lobby (server) → office (daemon)
  const entered = await officeWatch.waitPush('message_routed', (p) => p.from === 'gateway' && p.to === 'bob', 'gateway → bob in the daemon\'s office', 20_000)
  t.equal(entered.content_preview, 'alice (lobby) says: is anyone in the office?')
  const answer = await officeWatch.waitPush('agent_output', (p) => p.agent === 'bob', 'bob answers', 20_000)
  t.equal(answer.content, 'Yes, bob here. Come on in.\n@back: the door is open')

  // office (daemon) → lobby (server)
  const back = await lobbyWatch.waitPush('message_routed', (p) => p.from === 'gateway' && p.to === 'alice', 'gateway → alice in the server\'s lobby', 20_000)
  t.equal(back.content_preview, 'bob (office) says: the door is open')
  await lobbyWatch.waitEvent((e) => e.event_type === 'message_delivered' && e.agent === 'alice' && e.metadata.from === 'gateway', 'delivered to alice', 20_000)
  await officeWatch.waitPush('message_routed', (p) => p.from === 'back' && p.to === 'bob' && p.content_preview === 'forwarded to alice in lobby', 'the back bridge\'s reply to bob', 20_000)
  await lobbyWatch.waitPush('message_routed', (p) => p.from === 'bridge' && p.to === 'alice' && p.content_preview === 'forwarded to bob in office', 'the bridge\'s reply to alice', 20_000)

  t.same([...lobbyWatch.events(), ...officeWatch.events()].filter((e) => ['object_error', 'object_send_failed', 'invalid_route'].includes(e.event_type)), [], 'no refusals or failures on either side')

  // The CLI's --queue path reaches the server-run swarm too: the server takes the row and marks it done.
  const queued = await ws.run(['task', 'lobby', 'alice', 'hello', 'from', 'the', 'queue', '--queue', '--json'])
  t.equal(queued.code, 0, queued.stderr)
  const { task_id: taskId } = JSON.parse(queued.stdout) as { task_id: number }
  await lobbyWatch.waitEvent((e) => e.event_type === 'task_sent' && e.metadata.task_id === taskId, 'the queued task reached alice', 20_000)
  const registry = ws.registry()
  const done = await untilChanged(registry.changeFile, () => (registry.getTask(taskId)?.status === 'pending' ? null : registry.getTask(taskId)), {
    timeoutMs: 20_000, onTimeout: () => new Error('the queued task stayed pending'),
  })
  t.equal(done.status, 'processed', 'the row is marked processed once the turn is stored')

  const stopped = await ws.run(['stop', 'office'])
  t.equal(stopped.code, 0, stopped.stderr)
})
