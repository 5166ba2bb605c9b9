import { readFileSync } from 'node:fs'
import t from 'tap'
import { cliWorkspace } from './helpers/cli.js'
import { watch, writeModule } from './helpers/objects.js'
import { outcome, startServer } from './helpers/server.js'

// An ask never leaves its swarm's process: in a daemon swarm, the agent, the
// object and the wait all live in the daemon, and the server sees the events.

const ws = cliWorkspace(t)
for (const file of ['game.mjs', 'player.mjs', 'tic-tac-toe.yaml']) {
  writeModule(ws.dir, `examples/tic-tac-toe/${file}`, readFileSync(new URL(`../examples/tic-tac-toe/${file}`, import.meta.url), 'utf8'))
}

t.before(async () => {
  const started = await ws.run(['start', 'examples/tic-tac-toe/tic-tac-toe.yaml'])
  if (started.code !== 0) throw new Error(started.stderr)
})
t.teardown(() => ws.run(['stop', 'tic-tac-toe']))

t.test('examples/tic-tac-toe in a daemon: the players\' asks are answered there and the game ends', async (t) => {
  const server = await startServer(t, { dbPath: ws.db, cwd: ws.dir })
  const w = await watch(t, server, 'tic-tac-toe')
  t.equal((await outcome(w.channel.push('send_task', { agent: 'player_x', task: 'play' }))).status, 'ok')
  const heard = await w.waitPush('agent_output', (p) => p.agent === 'player_o' && p.content.includes('game over'), 'player_o hears the result', 20_000)
  t.equal(heard.content, 'player_o heard: game over: player_x wins')
  await w.waitPush('message_routed', (p) => p.type === 'ask' && p.from === 'game' && p.to === 'player_x', 'a reply leg relayed as type ask')
})
