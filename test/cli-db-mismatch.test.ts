import { join } from 'node:path'
import t from 'tap'
import { isPidAlive } from '../lib/db/registry.js'
import { cliWorkspace } from './helpers/cli.js'

// `--db other.db` while a server on another database answers on the default
// port: the CLI refuses, naming both databases, instead of reaching a swarm
// of the same name on the wrong one.

t.test('a server on another database is refused, naming both', async (t) => {
  const ws = cliWorkspace(t)
  const env = { GENSWARMS_URL: undefined, PORT: undefined }
  const up = await ws.run(['up', '--port', '0', '--swarm', ws.example('research-swarm.yaml'), '--json'], { env })
  t.equal(up.code, 0, up.stderr)
  const server = JSON.parse(up.stdout) as { pid: number; url: string }
  t.teardown(() => {
    if (isPidAlive(server.pid)) process.kill(server.pid, 'SIGKILL')
  })
  const port = new URL(server.url).port

  // The same database: the server is used.
  const same = await ws.run(['task', 'research-swarm', 'researcher', 'hello'], { env: { ...env, PORT: port } })
  t.equal(same.code, 0, same.stderr)

  // Another database, the server found on the default port: refused.
  const other = join(ws.dir, 'other.db')
  const refused = await ws.run(['--db', other, 'task', 'research-swarm', 'researcher', 'hello'], { env: { ...env, PORT: port } })
  t.equal(refused.code, 1)
  t.equal(refused.stderr, `error: the server at ${server.url} serves the database ${ws.db}, not ${other}; stop it (genswarms down), point --url at a server on ${other}, or drop --db\n`)
  t.equal((await ws.run(['down'], { env })).code, 0)
})
