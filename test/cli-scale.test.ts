import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createEngine } from '../lib/engine.js'
import { cliWorkspace } from './helpers/cli.js'

// `scale`: the clones share the base's work (tasks and messages to the base
// name go round-robin over base and clones), and `clean` forgets the overlay
// of a swarm it removes, so a later start runs what the file lists.

const CONFIG = [
  'name: shop',
  'agents:',
  '  - name: dispatcher',
  '    backend: {type: mock, script: [{match: "^go", response: "@worker: job"}]}',
  '  - name: worker',
  '    backend: {type: mock, echo: true}',
  'topology:',
  '  - [dispatcher, worker]',
  '',
].join('\n')

t.test('tasks and messages to a scaled base name are spread over the base and its clones; clean forgets the clones', async (t) => {
  const ws = cliWorkspace(t)
  writeFileSync(join(ws.dir, 'shop.yaml'), CONFIG)
  t.equal((await ws.run(['start', 'shop.yaml'])).code, 0)
  const scaled = await ws.run(['scale', 'shop', 'worker', '2'])
  t.equal(scaled.code, 0, scaled.stderr)
  t.equal(scaled.stdout, 'scaled shop/worker to 2: added worker_1, worker_2; removed none\n')

  const answered: string[] = []
  for (const n of [1, 2, 3]) {
    const task = await ws.run(['task', 'shop', 'worker', '--wait', `job ${n}`])
    t.equal(task.code, 0, task.stderr)
    answered.push(task.stdout.trim())
  }
  t.same(answered, ['job 1', 'job 2', 'job 3'], 'each task\'s own output')
  for (const n of [1, 2, 3]) t.equal((await ws.run(['task', 'shop', 'dispatcher', '--wait', `go ${n}`])).code, 0)

  const store = createEngine({ dbPath: ws.db, buffered: false })
  t.teardown(() => store.close())
  const sentTo = store.eventStore.query({ swarm: 'shop', event_type: 'task_sent' }).reverse().map((e) => e.agent).filter((a) => a !== 'dispatcher')
  t.same(sentTo, ['worker', 'worker_1', 'worker_2'], 'tasks for "worker" went round-robin')
  const routedTo = store.eventStore.query({ swarm: 'shop', event_type: 'message_routed' }).reverse().map((e) => e.metadata.to)
  t.same(routedTo, ['worker', 'worker_1', 'worker_2'], 'so did the dispatcher\'s messages to @worker')

  t.equal((await ws.run(['stop', 'shop'])).code, 0)
  t.equal((await ws.run(['clean'])).stdout, 'removed 1 swarm: shop\n')
  t.equal((await ws.run(['start', 'shop.yaml'])).code, 0)
  const status = JSON.parse((await ws.run(['status', 'shop', '--json'])).stdout) as { agents: { name: string }[] }
  t.same(status.agents.map((a) => a.name).sort(), ['dispatcher', 'worker'], 'started again from the file: no clones')
  t.equal((await ws.run(['stop', 'shop'])).code, 0)
})
