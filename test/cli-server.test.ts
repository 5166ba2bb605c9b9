import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { isPidAlive } from '../lib/db/registry.js'
import { createEngine } from '../lib/engine.js'
import { cliWorkspace } from './helpers/cli.js'
import { waitFor } from './helpers/engine.js'

// `genswarms up` / `down` as real processes: a background server on a free
// port, found by the other commands through the pid file it writes.

t.test('up starts a background server with in-process swarms; the CLI finds it; down stops it', async (t) => {
  const ws = cliWorkspace(t)
  const config = ws.example('research-swarm.yaml')
  // No GENSWARMS_URL: the commands must find the server from its pid file.
  const env = { GENSWARMS_URL: undefined, PORT: undefined }

  const up = await ws.run(['up', '--port', '0', '--swarm', config, '--json'], { env })
  t.equal(up.code, 0, up.stderr)
  const server = JSON.parse(up.stdout) as { status: string; url: string; pid: number; log_path: string }
  t.match(server, { status: 'running', url: /^http:\/\/127\.0\.0\.1:\d+$/, log_path: join(ws.dir, '.genswarms', 'logs', 'server.log') })
  t.teardown(() => {
    if (isPidAlive(server.pid)) process.kill(server.pid, 'SIGKILL')
  })
  const info = await fetch(`${server.url}/`)
  t.equal(info.status, 200, 'it answers HTTP')
  t.match(JSON.parse(readFileSync(join(ws.dir, '.genswarms', 'server.pid'), 'utf8')), { pid: server.pid, url: server.url })

  const again = await ws.run(['up', '--port', '0'], { env })
  t.equal(again.code, 1)
  t.equal(again.stderr, `error: a server is already running (pid ${server.pid}) at ${server.url}\n`)

  await waitFor(() => ws.registry().get('research-swarm')?.status === 'running', 'the --swarm config started', 20_000)
  const status = await ws.run(['status', 'research-swarm', '--json'], { env })
  t.match(JSON.parse(status.stdout), { status: 'running', pid: server.pid, source: 'in_process' }, 'runs inside the server')

  const task = await ws.run(['task', 'research-swarm', 'researcher', 'Research', 'the', 'transistor'], { env })
  t.equal(task.code, 0, task.stderr)
  t.equal(task.stdout, `sent task to research-swarm/researcher via the server at ${server.url}\n`)
  const store = createEngine({ dbPath: ws.db, buffered: false })
  t.teardown(() => store.close())
  await waitFor(() => store.eventStore.query({ swarm: 'research-swarm', agent: 'writer', event_type: 'agent_output' })
    .some((e) => e.message.includes('Applied the review notes')), 'the scripted conversation to end inside the server', 20_000)
  const shown = await ws.run(['events', '-s', 'research-swarm', '-a', 'writer', '--type', 'agent_output', '--json'], { env })
  t.ok(shown.stdout.includes('Applied the review notes'), 'events shows the in-server swarm\'s output')

  // A swarm inside the server is stopped over HTTP, never by signalling the server's pid.
  const stop = await ws.run(['stop', 'research-swarm'], { env })
  t.equal(stop.code, 0, stop.stderr)
  t.ok(isPidAlive(server.pid), 'the server is still up')
  t.equal(ws.registry().get('research-swarm')!.status, 'stopped')

  const down = await ws.run(['down'], { env })
  t.equal(down.code, 0, down.stderr)
  t.equal(down.stdout, `stopped the server at ${server.url} (pid ${server.pid})\n`)
  t.notOk(isPidAlive(server.pid))
  t.notOk(existsSync(join(ws.dir, '.genswarms', 'server.pid')), 'the pid file is gone')
  t.match(readFileSync(server.log_path, 'utf8'), /"msg":"server stopping"/, 'it logged to its log file')
  const none = await ws.run(['down'], { env })
  t.equal(none.stdout, 'no server is running\n')
})

t.test('up refuses an invalid --swarm config before starting anything', async (t) => {
  const ws = cliWorkspace(t)
  const up = await ws.run(['up', '--port', '0', '--swarm', 'missing.yaml'], { env: { GENSWARMS_URL: undefined } })
  t.equal(up.code, 1)
  t.equal(up.stderr, `error: config file not found: ${join(ws.dir, 'missing.yaml')}\n`)
  t.notOk(existsSync(join(ws.dir, '.genswarms', 'server.pid')))
})
