import t from 'tap'
import { parseProtocolLine } from '../lib/backends/local.js'
import { parseOutput } from '../lib/swarm/output-parser.js'
import { mockAgent, swarmConfig, testEngine, waitFor } from './helpers/engine.js'

t.test('@name: lines, @all: lines and SWARM_MSG blocks, in order, trimmed', async (t) => {
  const text = [
    'Thinking out loud first.',
    '@writer:   draft the intro  ',
    'not @a directive',
    '<<SWARM_MSG:TO=reviewer:START>>',
    'line one',
    'line two',
    '<<SWARM_MSG:END>>',
    '  @all: status update',
    '<<SWARM_MSG:BROADCAST:START>> everyone, listen <<SWARM_MSG:END>>',
    '@empty:   ',
    '@9bad: not a name',
  ].join('\n')
  t.same(parseOutput(text), [
    { kind: 'direct', to: 'writer', content: 'draft the intro' },
    { kind: 'direct', to: 'reviewer', content: 'line one\nline two' },
    { kind: 'broadcast', content: 'status update' },
    { kind: 'broadcast', content: 'everyone, listen' },
  ])
  t.same(parseOutput('no directives here'), [])
  t.same(parseOutput('<<SWARM_MSG:TO=x:START>> never closed'), [], 'an unclosed block sends nothing')
})

t.test('JSON lines from local programs: protocol messages or plain output', async (t) => {
  t.same(parseProtocolLine('{"type":"send","to":"coder","content":"hi"}'), { output: { type: 'send', to: 'coder', content: 'hi' }, protocol: true })
  t.same(parseProtocolLine('{"type":"broadcast","content":"all"}').output, { type: 'broadcast', content: 'all' })
  t.same(parseProtocolLine('{"type":"status","state":"idle"}').output, { type: 'status', state: 'idle' })
  t.same(parseProtocolLine('{"type":"output","content":"x"}').output, { type: 'output', content: 'x' })
  t.same(parseProtocolLine('plain text'), { output: { type: 'output', content: 'plain text' }, protocol: false })
  t.same(parseProtocolLine('{"type":"send","to":5}'), { output: { type: 'output', content: '{"type":"send","to":5}' }, protocol: false }, 'a malformed message is text')
  t.same(parseProtocolLine('{not json').protocol, false)
})

t.test('a SWARM_MSG block in agent output is routed like an @name: line', async (t) => {
  const engine = testEngine(t)
  await engine.swarmManager.start(swarmConfig('blocks', [
    mockAgent('a', [{ match: 'go', response: 'intro\n<<SWARM_MSG:TO=b:START>>\nmulti\nline\n<<SWARM_MSG:END>>' }]),
    mockAgent('b'),
  ], [['a', 'b']]))
  engine.swarmManager.sendTask('blocks', 'a', 'go')
  await waitFor(() => engine.swarmManager.history('blocks', 'b').length > 0, 'delivery to b')
  t.match(engine.swarmManager.history('blocks', 'b')[0], { direction: 'in', kind: 'message', from: 'a', content: 'multi\nline' })
})
