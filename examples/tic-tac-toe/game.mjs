// examples/tic-tac-toe: the referee. It keeps the board, lets only the player
// whose turn it is move, answers every question with a reply (so a player's
// `ask` gets it back in the same turn), tells the next player it is their
// turn, and when the game ends tells both players and reports to `metrics`.
//
// Messages it understands:
//   board     → {"board":"X.O......","turn":"player_o","marks":{...},"over":false,"result":null}
//   move <n>  → "ok", "ok, game over: …", or "illegal: …" (cells are 0–8, row by row)

const LINES = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]]

function view(state) {
  return JSON.stringify({ board: state.board, turn: state.over ? null : state.turn, marks: state.marks, over: state.over, result: state.result })
}

function outcome(board, marks) {
  for (const [a, b, c] of LINES) {
    if (board[a] !== '.' && board[a] === board[b] && board[a] === board[c]) {
      return `${Object.keys(marks).find((player) => marks[player] === board[a])} wins`
    }
  }
  return board.includes('.') ? null : 'a draw'
}

export default {
  init(config) {
    const players = config.players ?? ['player_x', 'player_o']
    const first = config.first ?? players[0]
    const second = players.find((p) => p !== first)
    return { state: { board: '.........', players, marks: { [first]: 'X', [second]: 'O' }, turn: first, moves: 0, over: false, result: null } }
  },

  handleMessage({ from, content }, state) {
    const text = content.trim()
    if (text === 'board') return { state, reply: view(state) }
    const move = /^move\s+(\d+)$/.exec(text)
    if (!move) return { state, reply: 'illegal: say "board" or "move <0-8>"' }
    if (!state.players.includes(from)) return { state, reply: `illegal: ${from} is not playing` }
    if (state.over) return { state, reply: `illegal: the game is over (${state.result})` }
    if (from !== state.turn) return { state, reply: `illegal: it is ${state.turn}'s turn` }
    const cell = Number(move[1])
    if (cell > 8) return { state, reply: `illegal: cell ${cell} is off the board (0-8)` }
    if (state.board[cell] !== '.') return { state, reply: `illegal: cell ${cell} is taken` }

    const board = state.board.slice(0, cell) + state.marks[from] + state.board.slice(cell + 1)
    const moves = state.moves + 1
    const next = state.players.find((p) => p !== from)
    const result = outcome(board, state.marks)
    if (result === null) {
      return { state: { ...state, board, moves, turn: next }, reply: 'ok', send: [{ to: next, content: 'your turn' }] }
    }
    const announcement = `game over: ${result}`
    return {
      state: { ...state, board, moves, over: true, result },
      reply: `ok, ${announcement}`,
      send: [
        ...state.players.map((to) => ({ to, content: announcement })),
        { to: 'metrics', content: JSON.stringify({ game: 'tic-tac-toe', result, moves, board }) },
      ],
    }
  },

  interface: {
    board: { input: 'board', output: 'the board, whose turn, the marks and the result as JSON' },
    move: { input: 'move <0-8>', output: 'ok, or illegal: why' },
  },
}
