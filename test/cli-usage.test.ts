import { existsSync } from 'node:fs'
import t from 'tap'
import { cliWorkspace } from './helpers/cli.js'

const ESC = '\x1b['

t.test('--help works for every command', async (t) => {
  const ws = cliWorkspace(t)
  const commands = ['up', 'down', 'start', 'stop', 'restart', 'status', 'task', 'msg', 'logs', 'events', 'config', 'config validate', 'clean', 'scale', 'overlay', 'snapshot']
  const top = await ws.run(['--help'])
  t.equal(top.code, 0)
  for (const command of commands.filter((c) => !c.includes(' '))) t.match(top.stdout, new RegExp(`^  ${command} `, 'm'), `${command} is listed`)
  // Two at a time: the machine has two cores.
  for (let i = 0; i < commands.length; i += 2) {
    const batch = commands.slice(i, i + 2)
    const results = await Promise.all(batch.map((c) => ws.run([...c.split(' '), '--help'])))
    results.forEach((r, j) => {
      t.equal(r.code, 0, `${batch[j]} --help exits 0`)
      t.match(r.stdout, new RegExp(`^Usage: genswarms ${batch[j]} `, 'm'), `${batch[j]} --help shows its usage`)
    })
  }
})

t.test('unknown commands and options fail with one line', async (t) => {
  const ws = cliWorkspace(t)
  const unknown = await ws.run(['frobnicate'])
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /^error: unknown command 'frobnicate'/)
  const option = await ws.run(['status', '--bogus'])
  t.equal(option.code, 1)
  t.match(option.stderr, /^error: unknown option '--bogus'/)
  const category = await ws.run(['events', '--category', 'nonsense'])
  t.equal(category.code, 1)
  t.match(category.stderr, /argument 'nonsense' is invalid\. Allowed choices are swarm, agent, object, routing, backend, system/)
  const limit = await ws.run(['events', '--limit', 'many'])
  t.equal(limit.code, 1)
  t.match(limit.stderr, /--limit must be a whole number, got "many"/)
})

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
