import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { isPidAlive } from '../lib/db/registry.js'
import { cliWorkspace, type CliWorkspace } from './helpers/cli.js'
import { startFakeOpenAI } from './helpers/fake-openai.js'

// `genswarms init` makes a project that `genswarms up` runs as it is: the
// scripted swarm without an endpoint, the LLM one with OPENAI_BASE_URL in .env,
// and each shipped example from its new directory.

// No GENSWARMS_URL: the commands find the server `up` started from its pid file.
const env = { GENSWARMS_URL: undefined, PORT: undefined, OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined }

async function up(t: Test, ws: CliWorkspace): Promise<{ stdout: string }> {
  const started = await ws.run(['up', '--port', '0', '--json'], { env })
  t.equal(started.code, 0, started.stderr)
  const server = JSON.parse(started.stdout) as { pid: number }
  t.teardown(() => {
    if (isPidAlive(server.pid)) process.kill(server.pid, 'SIGKILL')
  })
  return started
}


t.test('init scaffolds a project; up runs its scripted swarm while no endpoint is set', async (t) => {
  const ws = cliWorkspace(t)
  const made = await ws.run(['init', '--name', 'helpers'], { env })
  t.equal(made.code, 0, made.stderr)
  t.match(made.stdout, /^created a swarm project in \.: \.env\.example, \.gitignore, README\.md, genswarms\.json, skills\/planner\.md, skills\/writer\.md, swarm\.mock\.yaml, swarm\.yaml\n/)
  t.match(readFileSync(join(ws.dir, 'swarm.yaml'), 'utf8'), /^name: helpers$/m)

  const again = await ws.run(['init'], { env })
  t.equal(again.code, 1)
  t.equal(again.stderr, `error: ${ws.dir} is not empty; pass --force to write into it anyway (existing files with the same names are overwritten)\n`)

  const started = await up(t, ws)
  t.same(JSON.parse(started.stdout).swarms, ['helpers'])
  const task = await ws.run(['task', 'helpers', 'planner', '--wait', 'Explain why the sky is blue'], { env })
  t.equal(task.code, 0, task.stderr)
  t.match(task.stdout, /^Plan: 1\) name the topic/)
  t.equal((await ws.run(['down'], { env })).code, 0)
})

t.test('with OPENAI_BASE_URL in .env, up runs the LLM swarm with the skills of the project', async (t) => {
  const fake = await startFakeOpenAI(t)
  fake.answerWhen(() => true, () => ({ text: ['The sky scatters ', 'blue light most.'] }))
  const ws = cliWorkspace(t)
  t.equal((await ws.run(['init', '--name', 'sky'], { env })).code, 0)
  writeFileSync(join(ws.dir, '.env'), `# from .env.example\nOPENAI_BASE_URL=${fake.url}\nOPENAI_API_KEY="not-needed"\n`)
  const started = await ws.run(['up', '--port', '0'], { env })
  t.equal(started.code, 0, started.stderr)
  t.match(started.stdout, `running swarm sky from swarm.yaml (on ${fake.url})`)
  const task = await ws.run(['task', 'sky', 'planner', '--wait', 'Why is the sky blue?'], { env })
  t.equal(task.code, 0, task.stderr)
  t.equal(task.stdout, 'The sky scatters blue light most.\n')
  t.ok(fake.requests.some((r) => JSON.stringify(r.body).includes('You plan.')), 'the planner\'s skill file is its prompt')
  t.equal((await ws.run(['down'], { env })).code, 0)
})

t.test('init --example tic-tac-toe copies the game so that it plays from the new directory', async (t) => {
  const ws = cliWorkspace(t)
  const made = await ws.run(['init', '--example', 'tic-tac-toe'], { env })
  t.equal(made.code, 0, made.stderr)
  t.ok(existsSync(join(ws.dir, 'game.mjs')) && existsSync(join(ws.dir, 'skills', 'tic-tac-toe-player.md')))
  t.match(readFileSync(join(ws.dir, 'tic-tac-toe.yaml'), 'utf8'), /handler: \.\/game\.mjs/)
  await up(t, ws)
  const task = await ws.run(['task', 'tic-tac-toe', 'player_x', '--wait', 'play'], { env })
  t.equal(task.code, 0, task.stderr)
  t.match(task.stdout, /^player_x plays 0: ok/)
  t.equal((await ws.run(['down'], { env })).code, 0)
})

t.test('init --example research and party run from their directory', async (t) => {
  for (const [example, swarm, agent, text, says] of [
    ['research', 'research-swarm', 'researcher', 'Research the transistor', /^Looking into it/],
    ['party', 'party', 'guest1', 'start', /hello/],
  ] as const) {
    const ws = cliWorkspace(t)
    t.equal((await ws.run(['init', '--example', example], { env })).code, 0)
    await up(t, ws)
    const task = await ws.run(['task', swarm, agent, '--wait', text], { env })
    t.equal(task.code, 0, task.stderr)
    t.match(task.stdout, says, `${example}: ${agent} answers`)
    t.equal((await ws.run(['down'], { env })).code, 0)
  }
})
