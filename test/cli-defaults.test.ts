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

t.test('up on a busy port says which port; a second daemon start says "already running" in one line', async (t) => {
  const { createServer } = await import('node:net')
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const port = (blocker.address() as { port: number }).port
  const ws = cliWorkspace(t)
  const env = { GENSWARMS_URL: undefined, PORT: undefined }
  for (const args of [['up', '--port', String(port)], ['up', '--port', String(port), '--foreground']]) {
    const busy = await ws.run(args, { env })
    t.equal(busy.code, 1)
    t.match(busy.stderr, new RegExp(`^error: the server at http://127\\.0\\.0\\.1:${port} cannot start: port ${port} is already in use on 127\\.0\\.0\\.1; choose another with --port`))
    t.equal(busy.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`)
  }

  t.equal((await ws.run(['start', ws.example('research-swarm.yaml')])).code, 0)
  const again = await ws.run(['start', 'research-swarm.yaml', '--foreground'])
  t.equal(again.code, 1)
  t.notMatch(again.stdout, /"stack"/, 'no stack trace (off a terminal, one JSON line for the log)')
  t.match(again.stderr, /^error: swarm "research-swarm" is already running\n$/)
  t.equal((await ws.run(['stop', 'research-swarm'])).code, 0)
})
