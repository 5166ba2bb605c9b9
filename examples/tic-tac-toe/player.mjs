// examples/tic-tac-toe: a scripted player, a `local` JSON-lines agent. Its name
// is its first argument (or GENSWARMS_AGENT). On any input it asks the game for
// the board; on its turn it takes the first free cell with a second ask.
import { createInterface } from 'node:readline'

const me = process.argv[2] ?? process.env.GENSWARMS_AGENT
const write = (message) => process.stdout.write(JSON.stringify(message) + '\n')
const waiting = new Map()
let asked = 0

function ask(content) {
  const id = `${me}-${++asked}`
  write({ type: 'ask', id, to: 'game', content })
  return new Promise((resolve) => waiting.set(id, resolve))
}

async function turn(input) {
  if (input.content.startsWith('game over')) return write({ type: 'output', content: `${me} heard: ${input.content}` })
  const answer = await ask('board')
  if (!answer.ok) return write({ type: 'output', content: `${me} cannot see the board: ${answer.error}` })
  const game = JSON.parse(answer.result)
  if (game.over || game.turn !== me) return
  const cell = game.board.indexOf('.')
  const moved = await ask(`move ${cell}`)
  write({ type: 'output', content: `${me} plays ${cell}: ${moved.ok ? moved.result : moved.error}` })
}

// Inputs come one per turn: the next arrives only after `status idle`.
createInterface({ input: process.stdin }).on('line', (line) => {
  const input = JSON.parse(line)
  if (input.type === 'ask_result') {
    const resolve = waiting.get(input.id)
    waiting.delete(input.id)
    return resolve?.(input)
  }
  turn(input).finally(() => write({ type: 'status', state: 'idle' }))
})
