import t from 'tap'
import { ensureDashboardBuilt } from './helpers/browser.js'
import { cliWorkspace } from './helpers/cli.js'
import { startServer } from './helpers/server.js'

// `genswarms dashboard` as a real process against a real server. The tests'
// stdout is a pipe, so nothing is ever opened here.

t.before(async () => {
  await ensureDashboardBuilt()
})

t.test('prints the URL of the running server, from --url, --port/--host, or as JSON', async (t) => {
  const server = await startServer(t)
  const ws = cliWorkspace(t)

  const plain = await ws.run(['dashboard'], { env: { GENSWARMS_URL: server.http } })
  t.equal(plain.code, 0, plain.stderr)
  t.equal(plain.stdout, `${server.http}/dashboard\n`, 'one line, the URL')

  const json = await ws.run(['dashboard', '--json'], { env: { GENSWARMS_URL: server.http } })
  t.same(JSON.parse(json.stdout), { url: `${server.http}/dashboard` })

  const byPort = await ws.run(['dashboard', '--port', String(server.port), '--json'])
  t.same(JSON.parse(byPort.stdout), { url: `http://127.0.0.1:${server.port}/dashboard` }, '--port names the server')
  const byHost = await ws.run(['dashboard', '--host', 'localhost', '--port', String(server.port), '--json'])
  t.same(JSON.parse(byHost.stdout), { url: `http://localhost:${server.port}/dashboard` }, '--host too')
  const wildcard = await ws.run(['dashboard', '--host', '0.0.0.0', '--port', String(server.port), '--json'])
  t.same(JSON.parse(wildcard.stdout), { url: `http://127.0.0.1:${server.port}/dashboard` }, 'a wildcard address is reached on loopback')
})

t.test('says so when no server answers, or it does not serve the dashboard', async (t) => {
  const ws = cliWorkspace(t)
  const none = await ws.run(['dashboard'])
  t.equal(none.code, 1)
  t.match(none.stderr, /did not answer; start it with `genswarms up`/)

  const off = await startServer(t, { dashboard: false })
  const res = await ws.run(['dashboard', '--port', String(off.port)])
  t.equal(res.code, 1)
  t.match(res.stderr, /does not serve the dashboard \(404/)
})
