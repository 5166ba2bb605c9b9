import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openDatabase } from '../lib/db/open.js'
import { isPidAlive } from '../lib/db/registry.js'
import { createEngine } from '../lib/engine.js'
import { isGenswarmsError } from '../lib/errors.js'
import { cliWorkspace } from './helpers/cli.js'
import { waitFor } from './helpers/engine.js'

// At-least-once under fire: a real daemon process is SIGKILLed five times
// while tasks keep being queued, and started again each time. Every task the
// queue accepted must end up answered; none may be lost.

const CYCLES = 5

t.test('5 kill -9 / restart cycles under load lose no accepted task', async (t) => {
  const ws = cliWorkspace(t)
  writeFileSync(join(ws.dir, 'busy.json'), JSON.stringify({
    name: 'busy',
    agents: [
      { name: 'a', backend: { type: 'mock', script: [{ match: '.', response: 'done', delay_ms: 15 }] } },
      { name: 'b', backend: { type: 'mock', script: [{ match: '.', response: 'done', delay_ms: 5 }] } },
    ],
  }))
  const client = createEngine({ dbPath: join(ws.dir, '.genswarms', 'swarms.db'), buffered: false })
  t.teardown(() => client.close())
  const database = openDatabase(ws.db)
  t.teardown(() => database.close())
  const count = (sql: string) => database.sqlite.prepare(sql).pluck().get() as number
  const answered = () => new Set(database.sqlite
    .prepare("SELECT json_extract(metadata, '$.task_id') FROM events WHERE swarm = 'busy' AND event_type = 'agent_output'")
    .pluck().all() as number[])

  const start = async (): Promise<number> => {
    const started = await ws.run(['start', 'busy.json', '--json'])
    t.equal(started.code, 0, started.stderr)
    return JSON.parse(started.stdout).pid as number
  }

  // The producer queues tasks the whole time, through the same path as the CLI
  // and REST; while the swarm is down it is refused (not running), which is fine:
  // only what was accepted is owed an answer.
  const accepted: number[] = []
  let refused = 0
  let producing = true
  let i = 0
  const producer = (async () => {
    while (producing) {
      try {
        accepted.push((await client.locate('busy').sendTask({ agent: i % 2 ? 'a' : 'b', task: `task ${i}` })).delivery === 'queued' ? i : -1)
      } catch (err) {
        if (!isGenswarmsError(err)) throw err
        refused++
      }
      i++
      // About 40 tasks a second: a steady load the agents keep up with, so the final drain is short.
      await new Promise((r) => setTimeout(r, 25))
    }
  })()

  let redeliveredSeen = 0
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const pid = await start()
    // Kill it mid-work: once it has answered some tasks and taken more than it answered.
    const before = answered().size
    await waitFor(() => answered().size >= before + 20 && count("SELECT COUNT(*) FROM tasks WHERE status = 'pending' AND attempts > 0") > 0, `cycle ${cycle}: the daemon at work`, 30_000)
    process.kill(pid, 'SIGKILL')
    await waitFor(() => !isPidAlive(pid), `cycle ${cycle}: the daemon to die`, 10_000)
    redeliveredSeen += count("SELECT COUNT(*) FROM tasks WHERE status = 'pending' AND attempts > 0")
  }
  producing = false
  await producer

  // A last, clean run answers whatever is still owed.
  await start()
  const ids = database.sqlite.prepare("SELECT id FROM tasks WHERE swarm = 'busy'").pluck().all() as number[]
  const owed = accepted.filter((n) => n >= 0).length
  t.equal(ids.length, owed, 'every accepted task has its row')
  await waitFor(() => count("SELECT COUNT(*) FROM tasks WHERE status = 'pending'") === 0, 'the queue to drain', 60_000)
  const got = answered()
  const lost = ids.filter((id) => !got.has(id))
  t.same(lost, [], `none of ${ids.length} accepted tasks lost (${refused} refused while down)`)
  t.equal(count("SELECT COUNT(*) FROM tasks WHERE status = 'failed'"), 0, 'none failed')
  t.ok(redeliveredSeen > 0, `kills left ${redeliveredSeen} taken tasks unanswered, to be run again`)
  const rerun = count("SELECT COUNT(*) FROM events WHERE swarm = 'busy' AND event_type = 'agent_output' AND json_extract(metadata, '$.redelivered') = 1")
  t.ok(rerun > 0, `${rerun} answers are marked redelivered`)
  t.equal((await ws.run(['stop', 'busy'])).code, 0)
})
