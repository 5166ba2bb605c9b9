import { existsSync } from 'node:fs'
import t from 'tap'
import { cliWorkspace } from './helpers/cli.js'

const ESC = '\x1b['

t.test('reading commands do not create a database where none is', async (t) => {
  const ws = cliWorkspace(t)
  const status = await ws.run(['status'])
  t.equal(status.stdout, 'no swarms (start one with: genswarms start <config>)\n')
  const events = await ws.run(['events', '--json'])
  t.equal(events.code, 0)
  t.equal(events.stdout, '')
  const task = await ws.run(['task', 'ghost', 'a', 'hello'])
  t.equal(task.code, 1)
  t.equal(task.stderr, `error: no database at ${ws.db}: nothing has run here yet (use --db or GENSWARMS_DB to point at another)\n`)
  t.notOk(existsSync(ws.db), 'still no database')
})

t.test('colours only on request: NO_COLOR and --no-color win, plain when piped', async (t) => {
  const ws = cliWorkspace(t)
  const good = ws.example('research-swarm.yaml')
  const piped = await ws.run(['config', 'validate', good], { env: { NO_COLOR: undefined } })
  t.notOk(piped.stdout.includes(ESC), 'no escape codes when stdout is not a terminal')
  const forced = await ws.run(['config', 'validate', good], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })
  t.ok(forced.stdout.includes(`${ESC}32m✓`), 'FORCE_COLOR colours the check mark green')
  const flag = await ws.run(['config', 'validate', good, '--no-color'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })
  t.notOk(flag.stdout.includes(ESC), '--no-color wins over FORCE_COLOR')
  const error = await ws.run(['status', 'ghost'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })
  t.equal(error.stderr, `${ESC}31merror: swarm "ghost" not found${ESC}39m\n`, 'errors are one red line')
})
