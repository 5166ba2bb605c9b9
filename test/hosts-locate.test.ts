import { join } from 'node:path'
import t from 'tap'
import { createEngine } from '../lib/engine.js'
import { listSwarms, stopSwarm } from '../lib/hosts/index.js'
import { mockAgent, swarmConfig, tempDir } from './helpers/engine.js'
import { exited, fakeDaemon } from './helpers/rest-app.js'

// locate() is the one place that says where a swarm runs. Here a swarm in
// this process and one in another OS process share a real database file.

t.test('locate: in this process, in a daemon, or not found; the manager knows only its own swarms', async (t) => {
  const dbPath = join(tempDir(t), 'swarms.db')
  const engine = createEngine({ dbPath, buffered: false })
  t.teardown(() => engine.close())
  await engine.swarmManager.start(swarmConfig('here', [mockAgent('a', [{ match: '.*', response: 'ok' }])]))
  const daemon = await fakeDaemon(t, dbPath, 'away')

  const here = engine.locate('here')
  t.equal(here.kind, 'in_process')
  t.match(await here.sendTask({ agent: 'a', task: 'hi' }), { delivery: 'in_process' })
  const away = engine.locate('away')
  t.equal(away.kind, 'daemon')
  t.ok(away.running)
  t.throws(() => engine.locate('ghost'), { code: 'GS_SWARM_NOT_FOUND' })

  t.notOk(engine.swarmManager.has('away'))
  t.throws(() => engine.swarmManager.swarm('away'), { code: 'GS_SWARM_NOT_FOUND' }, 'the manager does not look in the registry')
  t.same(listSwarms(engine.reach).map((s) => [s.name, s.source]), [['away', 'daemon'], ['here', 'in_process']], 'the list does')

  t.match(await away.sendTask({ agent: 'worker', task: 'queued' }), { delivery: 'queued', task_id: Number })
  t.throws(() => away.sendTask({ agent: 'nobody', task: 'x' }), { code: 'GS_AGENT_NOT_FOUND' }, 'a daemon host answers a task at once: it only writes a row')
  await t.rejects(away.history('worker', 10), { code: 'GS_SWARM_IN_DAEMON' }, 'what needs the swarm\'s memory is refused by name')
  t.match(await away.status(), { name: 'away', source: 'daemon', status: 'running', pending_tasks: 1 })
})

t.test('one stop path per kind of host: SIGTERM for a daemon, the manager for a swarm here', async (t) => {
  const dbPath = join(tempDir(t), 'swarms.db')
  const engine = createEngine({ dbPath, buffered: false })
  t.teardown(() => engine.close())
  await engine.swarmManager.start(swarmConfig('here', [mockAgent('a')]))
  const daemon = await fakeDaemon(t, dbPath, 'away')

  t.equal(await stopSwarm(engine.reach, 'away', { waitForExit: true }), 'stopped')
  t.equal(await exited(daemon), 0, 'the daemon process ended cleanly')
  t.equal(engine.registry.get('away')!.status, 'stopped')

  const stopped = engine.locate('away')
  t.notOk(stopped.running, 'a stopped row still has a host, for status and restart')
  t.throws(() => stopped.sendTask({ agent: 'worker', task: 'late' }), { code: 'GS_SWARM_NOT_RUNNING' })
  await t.rejects(stopSwarm(engine.reach, 'away'), { code: 'GS_SWARM_NOT_RUNNING' })
  t.equal(await stopSwarm(engine.reach, 'away', { purge: true }), 'purged', 'a stopped swarm can still be purged')
  t.equal(engine.registry.get('away'), null)

  t.equal(await stopSwarm(engine.reach, 'here'), 'stopped')
  t.notOk(engine.swarmManager.has('here'))
  t.equal(engine.registry.get('here')!.status, 'stopped')
})
