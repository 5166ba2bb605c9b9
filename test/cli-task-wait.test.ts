import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { isPidAlive } from '../lib/db/registry.js'
import { cliWorkspace } from './helpers/cli.js'

// `genswarms task --wait`: the output of that one task, whether the swarm runs
// as a daemon (the task goes through the queue) or inside a server (over HTTP).

const RESEARCHER_SAYS = /^Looking into it: three sources checked\.\n@writer: Findings: the point-contact transistor/

t.test('--wait prints the output of a daemon swarm\'s task and exits 0', async (t) => {
  const ws = cliWorkspace(t)
  const started = await ws.run(['start', ws.example('research-swarm.yaml')])
  t.equal(started.code, 0, started.stderr)
  const task = await ws.run(['task', 'research-swarm', 'researcher', '--wait', 'Research the transistor'])
  t.equal(task.code, 0, task.stderr)
  t.match(task.stdout, RESEARCHER_SAYS)
  t.equal(task.stderr, '')

  const json = await ws.run(['task', 'research-swarm', 'researcher', '--wait', '--json', 'Research the transistor again'])
  t.equal(json.code, 0, json.stderr)
  t.match(JSON.parse(json.stdout), { status: 'done', swarm: 'research-swarm', agent: 'researcher', task_id: Number, outputs: [RESEARCHER_SAYS] })
  t.equal((await ws.run(['stop', 'research-swarm'])).code, 0)
})

t.test('--wait works for a swarm inside a server, and fails clearly on a crash or a timeout', async (t) => {
  const ws = cliWorkspace(t)
  writeFileSync(join(ws.dir, 'slow.yaml'), [
    'name: slow',
    'agents:',
    '  - name: sleepy',
    '    backend: {type: mock, script: [{match: ".", response: "finally", delay_ms: 600000}]}',
    '  - name: fragile',
    '    backend: {type: local, command: [node, -e, "process.stdin.once(\'data\', () => { console.error(\'Error: fell over\'); process.exit(3) })"]}',
    '',
  ].join('\n'))
  const env = { GENSWARMS_URL: undefined, PORT: undefined }
  const up = await ws.run(['up', '--port', '0', '--swarm', ws.example('research-swarm.yaml'), '--swarm', 'slow.yaml', '--json'], { env })
  t.equal(up.code, 0, up.stderr)
  const server = JSON.parse(up.stdout) as { pid: number; url: string }
  t.teardown(() => {
    if (isPidAlive(server.pid)) process.kill(server.pid, 'SIGKILL')
  })

  const task = await ws.run(['task', 'research-swarm', 'researcher', '--wait', 'Research the transistor'], { env })
  t.equal(task.code, 0, task.stderr)
  t.match(task.stdout, RESEARCHER_SAYS, 'the in-process task\'s output')

  const late = await ws.run(['task', 'slow', 'sleepy', '--wait', '--timeout', '1', 'take your time'], { env })
  t.equal(late.code, 1)
  t.match(late.stderr, /^error: no answer to task t[0-9a-f]+-\d+ from slow\/sleepy within 1 s; the task is still accepted/)

  const crash = await ws.run(['task', 'slow', 'fragile', '--wait', 'hello'], { env })
  t.equal(crash.code, 1)
  t.match(crash.stderr, /^error: task t[0-9a-f]+-\d+ for slow\/fragile failed: agent fragile exited unexpectedly \(code 3\): Error: fell over/)
  t.equal((await ws.run(['down'], { env })).code, 0)
})
