import t from 'tap'
import { isPidAlive } from '../lib/db/registry.js'
import { cliWorkspace } from './helpers/cli.js'

// The reading commands agree with each other and with REST: an unknown swarm
// is an error for `logs` as for `status`, debug events are opt-in for
// `events`, and `status` shows the agents' state the server reports.

t.test('logs of an unknown swarm fails like status does', async (t) => {
  const ws = cliWorkspace(t)
  for (const command of ['logs', 'status']) {
    const r = await ws.run([command, 'nope'])
    t.equal(r.code, 1, `${command} nope exits 1`)
    t.equal(r.stderr, 'error: swarm "nope" not found\n')
  }
})

t.test('events hides debug events unless asked; status shows the state REST reports', async (t) => {
  const ws = cliWorkspace(t)
  const env = { GENSWARMS_URL: undefined, PORT: undefined }
  const up = await ws.run(['up', '--port', '0', '--swarm', ws.example('research-swarm.yaml'), '--json'], { env })
  t.equal(up.code, 0, up.stderr)
  const server = JSON.parse(up.stdout) as { pid: number; url: string }
  t.teardown(() => {
    if (isPidAlive(server.pid)) process.kill(server.pid, 'SIGKILL')
  })
  t.equal((await ws.run(['task', 'research-swarm', 'researcher', '--wait', 'Research the transistor'], { env })).code, 0)

  const plain = await ws.run(['events', '-s', 'research-swarm', '--json', '-n', '500'], { env })
  const types = plain.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event_type: string; level: string })
  t.ok(types.some((e) => e.event_type === 'agent_output'), 'info events are shown')
  t.notOk(types.some((e) => e.level === 'debug'), 'no debug event by default')
  const debug = await ws.run(['events', '-s', 'research-swarm', '--json', '-n', '500', '--level', 'debug'], { env })
  t.ok(debug.stdout.includes('"event_type":"agent_status"'), '--level debug shows the state changes')

  const rest = (await (await fetch(`${server.url}/api/swarms/research-swarm`)).json()) as { agents: { name: string; state: string }[] }
  const status = await ws.run(['status', 'research-swarm', '--json'], { env })
  t.same((JSON.parse(status.stdout) as typeof rest).agents.map((a) => [a.name, a.state]), rest.agents.map((a) => [a.name, a.state]))
  t.notOk(rest.agents.some((a) => a.state === 'unknown'))
  const text = await ws.run(['status', 'research-swarm'], { env })
  t.match(text.stdout, new RegExp(`researcher \\(mock\\) ${rest.agents.find((a) => a.name === 'researcher')!.state}`))
  t.equal((await ws.run(['down'], { env })).code, 0)
})
