import { fileURLToPath } from 'node:url'
import t from 'tap'
import { loadConfigFile } from '../lib/config/load.js'
import { systemOf, type FakeReply } from './helpers/fake-llm.js'
import { startFakeOpenAI } from './helpers/fake-openai.js'
import { api, watch } from './helpers/objects.js'
import { outcome, startServer } from './helpers/server.js'

// examples/tic-tac-toe/tic-tac-toe-llm.yaml as shipped, from the repository root like `npm start`.
const root = fileURLToPath(new URL('..', import.meta.url))
const CONFIG = 'examples/tic-tac-toe/tic-tac-toe-llm.yaml'

const isPlayer = (body: any) => /You are the agent "player_[xo]"/.test(systemOf(body))

/**
 * A model that plays by reading its own conversation, as a real one would:
 * told to play, it asks the game for the board; given the board on its turn,
 * it asks to take the first empty cell; told the move is done or the game is
 * over, it ends the turn with a line.
 */
function scriptedPlayer(body: any): FakeReply {
  const me = /You are the agent "([^"]+)"/.exec(systemOf(body))![1]!
  const messages: any[] = body.messages
  const last = messages.at(-1)
  const ask = (content: string): FakeReply => ({ tool_calls: [{ id: `${me}_${messages.length}`, name: 'ask', arguments: { to: 'game', content } }] })
  if (last.role === 'tool') {
    const call = messages.flatMap((m) => m.tool_calls ?? []).find((c: any) => c.id === last.tool_call_id)
    const asked: string = JSON.parse(call.function.arguments).content
    if (asked === 'board') {
      const view = JSON.parse(last.content)
      if (view.over || view.turn !== me) return { text: [`${me} waits`] }
      return ask(`move ${view.board.indexOf('.')}`)
    }
    return { text: [`${me} took ${asked.slice('move '.length)}: ${last.content}`] }
  }
  if (String(last.content).includes('game over')) return { text: [`${me}: good game`] }
  return ask('board')
}

t.test('examples/tic-tac-toe with LLM players: the players ask the game through the ask tool and play to the end', async (t) => {
  const config = await loadConfigFile(`${root}${CONFIG}`)
  t.same(config.agents.map((a) => [a.name, a.backend.type, a.skills]), [['player_x', 'openai', ['tic-tac-toe-player']], ['player_o', 'openai', ['tic-tac-toe-player']]])
  t.ok(config.agents.every((a) => a.backend.type === 'openai' && a.backend.base_url === undefined && a.backend.api_key_env === undefined),
    'the endpoint and key come from OPENAI_BASE_URL / OPENAI_API_KEY, not the file')

  const fake = await startFakeOpenAI(t)
  fake.answerWhen(isPlayer, scriptedPlayer)
  const previous = process.env.OPENAI_BASE_URL
  process.env.OPENAI_BASE_URL = fake.url
  t.teardown(() => {
    if (previous === undefined) delete process.env.OPENAI_BASE_URL
    else process.env.OPENAI_BASE_URL = previous
  })

  const server = await startServer(t, { cwd: root })
  const started = await api(server, 'POST', '/api/swarms', { config_path: CONFIG })
  t.equal(started.status, 201, JSON.stringify(started.body))
  const w = await watch(t, server, 'tic-tac-toe-llm')
  t.equal((await outcome(w.channel.push('send_task', { agent: 'player_x', task: 'play' }))).status, 'ok')

  for (const player of ['player_x', 'player_o']) {
    const last = await w.waitPush('agent_output', (p) => p.agent === player && p.content.includes('good game'), `${player} hears the game is over`)
    t.equal(last.content, `${player}: good game`)
  }
  const report = await w.waitEvent((e) => e.event_type === 'message_routed' && e.metadata.to === 'metrics', 'the game reports to metrics')
  t.match(JSON.parse(report.message.slice('game → metrics: '.length)), { game: 'tic-tac-toe', result: 'player_x wins', moves: 7, board: 'XOXOXOX..' })

  const moves = w.pushes.filter((p) => p.event === 'message_routed' && p.payload.type === 'ask' && p.payload.to === 'game' && p.payload.content_preview.startsWith('move'))
  t.same(moves.map((p) => [p.payload.from, p.payload.content_preview]), [
    ['player_x', 'move 0'], ['player_o', 'move 1'], ['player_x', 'move 2'], ['player_o', 'move 3'],
    ['player_x', 'move 4'], ['player_o', 'move 5'], ['player_x', 'move 6'],
  ], 'every move went to the game as an ask, in turn')
  t.same(w.events().filter((e) => e.event_type === 'invalid_route' || e.event_type === 'ask_timeout' || e.level === 'error'), [], 'no refused route, unanswered ask or error')

  const first = fake.requests.find((r) => /You are the agent "player_o"/.test(systemOf(r.body)))!
  t.match(systemOf(first.body), /^# Tic-tac-toe player\n\nYou are player_o, a player/, "the skill next to the config opens the system prompt, with {{agent}} filled in")
  t.same(first.body.tools.map((tool: any) => tool.function.name), ['send_message', 'broadcast', 'ask'])
  t.equal(first.body.model, 'llama3.2')
})
