import t from 'tap'
import { cliWorkspace } from './helpers/cli.js'

// A foreground server logs for whoever reads its stdout: readable lines for a
// person at a terminal (LOG_FORMAT=pretty stands in for the terminal here, as
// a test's stdout is a pipe), JSON lines for a file or a log shipper.

const ws = cliWorkspace(t)

async function firstLines(format: string | undefined): Promise<string> {
  const server = ws.spawn(['up', '--foreground', '--port', '0'], { env: { ...ws.env, ...(format ? { LOG_FORMAT: format } : {}), NO_COLOR: '1' } })
  try {
    await server.waitForOutput(/Server listening/, 60_000)
    return server.stdout()
  } finally {
    server.child.kill('SIGTERM')
    await server.exited
  }
}

t.test('LOG_FORMAT=pretty: one readable line per entry, not JSON', async (t) => {
  const out = await firstLines('pretty')
  const line = out.split('\n').find((l) => l.includes('Server listening'))!
  t.match(line, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Server listening at http:\/\/127\.0\.0\.1:\d+/, line)
  t.throws(() => JSON.parse(line), 'not a JSON object')
  t.notMatch(out, /\u001b\[/, 'no colour codes with NO_COLOR')
})

t.test('not a terminal: JSON lines, as before', async (t) => {
  const out = await firstLines(undefined)
  const line = out.split('\n').find((l) => l.includes('Server listening'))!
  t.match(JSON.parse(line), { level: 30, msg: /^Server listening at http:\/\/127\.0\.0\.1:\d+/ })
})
