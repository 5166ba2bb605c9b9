import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { cliWorkspace } from './helpers/cli.js'
import { eventually } from './helpers/rest-app.js'
import { collect, outcome, phoenixSocket, startServer, until } from './helpers/server.js'

// Per-agent skills: the recursive library, templates rendered per agent, a PUT
// that the agent's next turn sees, the overlay keeping it, a daemon reached
// through its command queue, and the CLI.

/** A JSON-lines agent that answers each input with the skills that input carried. */
const SKILL_ECHO = `
import { createInterface } from 'node:readline'
createInterface({ input: process.stdin }).on('line', (line) => {
  const input = JSON.parse(line)
  process.stdout.write(JSON.stringify({ type: 'output', content: JSON.stringify(input.skills) }) + '\\n')
  process.stdout.write(JSON.stringify({ type: 'status', state: 'idle' }) + '\\n')
})
`

function workspace(dir: string): void {
  mkdirSync(join(dir, 'skills', 'research'), { recursive: true })
  writeFileSync(join(dir, 'skills', 'research', 'web.md'), 'I am {{agent}} of {{swarm}}; I write to {{targets}}. Keep {{this}}.')
  writeFileSync(join(dir, 'skills', 'style.md'), 'Be plain.')
  writeFileSync(join(dir, 'secret.md'), 'outside the skills dir')
  writeFileSync(join(dir, 'skill-echo.mjs'), SKILL_ECHO)
}

const config = (dir: string) => ({
  name: 'sk',
  agents: [
    { name: 'lead', backend: { type: 'local', command: [process.execPath, join(dir, 'skill-echo.mjs')] }, skills: ['research/web', 'style.md', 'absent'] },
    { name: 'dev', backend: 'mock' },
  ],
  topology: [['lead', 'dev']],
})

t.test('in process: library by category, rendered skills, PUT seen on the next turn, kept over a restart', async (t) => {
  const server = await startServer(t)
  const { app, dir } = server
  workspace(dir)

  const library = (await app.inject({ method: 'GET', url: '/api/skills' })).json()
  t.same(library.skills.map((s: { name: string; category: string | null }) => [s.name, s.category]), [['research/web.md', 'research'], ['style.md', null]])
  t.same((await app.inject({ method: 'GET', url: '/api/skills/research/web' })).json().name, 'research/web.md', 'a skill in a category is read by its path')
  for (const url of ['/api/skills/research/%2E%2E/%2E%2E/secret.md', '/api/skills/research/..%2F..%2Fsecret.md']) {
    const res = await app.inject({ method: 'GET', url })
    t.ok(res.statusCode === 400 || res.statusCode === 404, `${url} refused (${res.statusCode})`)
    t.notOk(res.body.includes('outside the skills dir'), 'nothing outside is served')
  }

  t.equal((await app.inject({ method: 'POST', url: '/api/swarms', payload: { config: config(dir) } })).statusCode, 201)
  const socket = phoenixSocket(t, server.socketUrl)
  const channel = socket.channel('swarm:sk', {})
  const outputs = collect(channel, ['agent_output'])
  t.equal((await outcome(channel.join())).status, 'ok')
  const turn = async (n: number) => {
    await app.inject({ method: 'POST', url: '/api/swarms/sk/agents/lead/task', payload: { task: `turn ${n}` } })
    await until(() => outputs.length >= n, `turn ${n}`)
    return JSON.parse(outputs[n - 1]!.payload.content)
  }

  const rendered = 'I am lead of sk; I write to dev. Keep {{this}}.'
  const skills = (await app.inject({ method: 'GET', url: '/api/swarms/sk/agents/lead/skills' })).json()
  t.same(skills.skills, [
    { name: 'research/web', source: 'library', content: rendered },
    { name: 'style', source: 'library', content: 'Be plain.' },
    { name: 'absent', source: 'missing', content: null },
  ])
  t.same(await turn(1), [{ name: 'research/web', content: rendered }, { name: 'style', content: 'Be plain.' }], 'the turn is given what GET shows')

  const put = await app.inject({ method: 'PUT', url: '/api/swarms/sk/agents/lead/skills/style', headers: { 'content-type': 'text/markdown' }, payload: 'Be brief, {{agent}}.' })
  t.equal(put.statusCode, 200, put.body)
  t.match(put.json(), { status: 'ok', swarm: 'sk', agent: 'lead', skill: 'style' })
  t.same((await turn(2))[1], { name: 'style', content: 'Be brief, lead.' }, 'the next turn sees the new text')

  const json = await app.inject({ method: 'PUT', url: '/api/swarms/sk/agents/lead/skills/notes/extra.md', payload: { content: 'Extra for {{swarm}}.' } })
  t.equal(json.statusCode, 200, json.body)
  t.same((await turn(3)).map((s: { name: string }) => s.name), ['research/web', 'style', 'notes/extra'], 'a new skill joins the list')

  const plain = await app.inject({ method: 'PUT', url: '/api/swarms/sk/agents/lead/skills/style', headers: { 'content-type': 'text/plain' }, payload: 'x' })
  t.equal(plain.statusCode, 415, 'text/plain without an Authorization header is what a cross-site form sends: refused')
  const form = await app.inject({ method: 'PUT', url: '/api/swarms/sk/agents/lead/skills/style', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' })
  t.equal(form.statusCode, 415)
  const authed = await app.inject({ method: 'PUT', url: '/api/swarms/sk/agents/lead/skills/style', headers: { 'content-type': 'text/plain', authorization: 'Bearer anything' }, payload: 'Plain style.' })
  t.equal(authed.statusCode, 200, 'text/plain on a request a browser would preflight')
  t.equal((await app.inject({ method: 'PUT', url: '/api/swarms/sk/agents/lead/skills/..%2Fsecret', payload: { content: 'x' } })).statusCode, 400, 'no path out of the skills dir')
  t.equal((await app.inject({ method: 'PUT', url: '/api/swarms/sk/agents/ghost/skills/style', payload: { content: 'x' } })).statusCode, 404)
  t.equal((await app.inject({ method: 'PUT', url: '/api/swarms/sk/agents/lead/skills/style', payload: { text: 'x' } })).statusCode, 400)

  const events = (await app.inject({ method: 'GET', url: '/api/events?swarm=sk&event_type=skill_updated' })).json().events
  t.equal(events.length, 3, 'each change is a stored event')
  t.notOk(JSON.stringify(events).includes('Plain style.'), 'the text itself is not in the event')

  t.equal((await app.inject({ method: 'POST', url: '/api/swarms/sk/restart' })).statusCode, 200)
  const after = (await app.inject({ method: 'GET', url: '/api/swarms/sk/agents/lead/skills' })).json().skills
  t.same(after.map((s: { name: string; source: string; content: string | null }) => [s.name, s.source, s.content]), [
    ['research/web', 'library', rendered],
    ['style', 'override', 'Plain style.'],
    ['absent', 'missing', null],
    ['notes/extra', 'override', 'Extra for sk.'],
  ], 'the overlay keeps the overrides over a restart')
  const status = (await app.inject({ method: 'GET', url: '/api/swarms/sk/agents/lead' })).json()
  t.same(status.skills, ['research/web', 'style.md', 'absent', 'notes/extra'], 'status lists the skills')
  t.notOk(JSON.stringify(status).includes('Plain style.'), 'and leaves their texts to the skills route')
})

t.test('a protocol: text program gets the skills of its run as one text in GENSWARMS_SKILLS_TEXT', async (t) => {
  const server = await startServer(t)
  const { app, dir } = server
  workspace(dir)
  const print = [process.execPath, '-e', 'process.stdout.write(process.env.GENSWARMS_SKILLS_TEXT)']
  const swarm = { name: 'tx', agents: [{ name: 'solo', backend: { type: 'local', protocol: 'text', command: print }, skills: ['style'] }] }
  t.equal((await app.inject({ method: 'POST', url: '/api/swarms', payload: { config: swarm } })).statusCode, 201)
  await app.inject({ method: 'PUT', url: '/api/swarms/tx/agents/solo/skills/style', payload: { content: 'Hello {{agent}} in {{swarm}}, targets {{targets}}.' } })
  await app.inject({ method: 'POST', url: '/api/swarms/tx/agents/solo/task', payload: { task: 'go' } })
  const event = await eventually(async () => (await app.inject({ method: 'GET', url: '/api/events?swarm=tx&event_type=agent_output' })).json().events[0], 'the run ends')
  t.equal(event.message.trim(), '## Skill: style\n\nHello solo in tx, targets none.')
})

t.test('daemon and CLI: skills listed, set through the command queue, seen on the next turn', async (t) => {
  const ws = cliWorkspace(t)
  workspace(ws.dir)
  writeFileSync(join(ws.dir, 'sk.json'), JSON.stringify(config(ws.dir)))

  const library = await ws.run(['skills', '--json'])
  t.equal(library.code, 0, library.stderr)
  t.same(JSON.parse(library.stdout).skills.map((s: { name: string }) => s.name), ['research/web.md', 'style.md'])
  const human = await ws.run(['skills'])
  t.match(human.stdout, /research\s+research\/web\.md/)

  t.equal((await ws.run(['start', 'sk.json'])).code, 0)
  t.teardown(() => ws.run(['stop', 'sk']))
  const server = await startServer(t, { dbPath: ws.db, cwd: ws.dir })
  const { app } = server
  const put = await app.inject({ method: 'PUT', url: '/api/swarms/sk/agents/lead/skills/style', headers: { 'content-type': 'text/markdown' }, payload: 'Daemon style for {{agent}}.' })
  t.equal(put.statusCode, 200, put.body)

  const shown = await ws.run(['skills', 'sk', 'lead', '--json'])
  t.equal(shown.code, 0, shown.stderr)
  t.same(JSON.parse(shown.stdout).skills[1], { name: 'style', source: 'override', content: 'Daemon style for lead.' })
  const text = await ws.run(['skills', 'sk', 'lead'])
  t.match(text.stdout, /style \(override\)\n  Daemon style for lead\./)

  t.equal((await ws.run(['task', 'sk', 'lead', 'go'])).code, 0)
  const event = await eventually(async () => (await app.inject({ method: 'GET', url: '/api/events?swarm=sk&event_type=agent_output' })).json().events[0], 'the daemon agent answers')
  t.same(JSON.parse(event.message)[1], { name: 'style', content: 'Daemon style for lead.' }, 'the daemon turn got the override')
})
