import t from 'tap'
import { cliWorkspace } from './helpers/cli.js'

t.test('--help works for every command', async (t) => {
  const ws = cliWorkspace(t)
  const commands = ['init', 'up', 'down', 'start', 'stop', 'restart', 'status', 'task', 'msg', 'logs', 'events', 'config', 'config validate', 'clean', 'scale', 'overlay', 'snapshot']
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
