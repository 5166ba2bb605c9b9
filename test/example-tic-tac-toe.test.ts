import { fileURLToPath } from 'node:url'
import t from 'tap'
import { api, watch } from './helpers/objects.js'
import { outcome, startServer } from './helpers/server.js'

// examples/tic-tac-toe as shipped, from the repository root like `npm start`.
const root = fileURLToPath(new URL('..', import.meta.url))

t.test('examples/tic-tac-toe: two scripted players ask the game and play to the end; illegal moves get a reply; the result is announced and reported', async (t) => {
  const server = await startServer(t, { cwd: root })
  const started = await api(server, 'POST', '/api/swarms', { config_path: 'examples/tic-tac-toe/tic-tac-toe.yaml' })
  t.equal(started.status, 201, JSON.stringify(started.body))
  const w = await watch(t, server, 'tic-tac-toe')

  // Out of turn: the referee refuses with a reply, and player_o, woken by it, sees it is not its turn.
  t.equal((await api(server, 'POST', '/api/swarms/tic-tac-toe/message', { from: 'player_o', to: 'game', content: 'move 4' })).status, 200)
  const refused = await w.waitPush('message_routed', (p) => p.from === 'game' && p.to === 'player_o' && p.type === 'direct', 'the refusal replied')
  t.equal(refused.content_preview, "illegal: it is player_x's turn")

  t.equal((await outcome(w.channel.push('send_task', { agent: 'player_x', task: 'play' }))).status, 'ok')
  for (const player of ['player_x', 'player_o']) {
    const heard = await w.waitPush('agent_output', (p) => p.agent === player && p.content.includes('heard: game over'), `${player} hears the result`)
    t.equal(heard.content, `${player} heard: game over: player_x wins`)
  }
  // Two processes print their lines; a player's "plays n: ok" can reach the server after the
  // other player's next move, so the lines are put in move order before they are compared.
  const moveOf = (line: string) => Number(/ plays (\d+)/.exec(line)![1])
  const plays = w.pushes.filter((p) => p.event === 'agent_output' && / plays /.test(p.payload.content)).map((p) => p.payload.content as string)
  plays.sort((a, b) => moveOf(a) - moveOf(b))
  t.same(plays, [
    'player_x plays 0: ok', 'player_o plays 1: ok', 'player_x plays 2: ok', 'player_o plays 3: ok',
    'player_x plays 4: ok', 'player_o plays 5: ok', 'player_x plays 6: ok, game over: player_x wins',
  ], 'legal moves, in turn, until the diagonal 2-4-6')
  const asks = w.pushes.filter((p) => p.event === 'message_routed' && p.payload.type === 'ask')
  t.ok(asks.some((p) => p.payload.from === 'player_o' && p.payload.to === 'game' && p.payload.content_preview === 'board'), 'the players ask the game for the board')

  const report = await w.waitEvent((e) => e.event_type === 'message_routed' && e.metadata.to === 'metrics', 'the game reports to metrics')
  t.match(JSON.parse(report.message.slice('game → metrics: '.length)), { game: 'tic-tac-toe', result: 'player_x wins', moves: 7 })

  t.equal((await api(server, 'POST', '/api/swarms/tic-tac-toe/message', { from: 'player_o', to: 'game', content: 'move 8' })).status, 200)
  await w.waitPush('message_routed', (p) => p.from === 'game' && p.to === 'player_o' && p.content_preview === 'illegal: the game is over (player_x wins)', 'a move after the end is refused')
  const game = (await api(server, 'GET', '/api/swarms/tic-tac-toe/objects/game')).body
  t.match(game, { status: 'running', last_error: null })
  t.same(w.events().filter((e) => e.event_type === 'invalid_route' || e.event_type === 'ask_timeout'), [], 'no refused route and no unanswered ask')
})
