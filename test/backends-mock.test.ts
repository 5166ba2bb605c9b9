import t from 'tap'
import { MockBackend } from '../lib/backends/mock.js'
import type { BackendOutput } from '../lib/backends/types.js'

function run(backend: MockBackend) {
  const outputs: BackendOutput[] = []
  backend.onOutput((o) => outputs.push(o))
  return outputs
}

const turnEnded = (outputs: BackendOutput[], turns: number) =>
  new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 5000
    const check = () => {
      if (outputs.filter((o) => o.type === 'status').length >= turns) return resolve()
      if (Date.now() > deadline) return reject(new Error('turn did not end'))
      setTimeout(check, 5)
    }
    check()
  })

t.test('the first matching rule answers; no match stays silent; every turn ends idle', async (t) => {
  const backend = new MockBackend({ type: 'mock', script: [{ match: '^hello', response: 'hi there' }, { match: 'hello', response: 'never: the first rule wins' }] })
  const outputs = run(backend)
  await backend.start()
  backend.sendInput({ type: 'task', content: 'hello world', from: 'orchestrator' })
  t.same(outputs, [], 'the answer is never given inside the call')
  await turnEnded(outputs, 1)
  backend.sendInput({ type: 'message', content: 'unrelated', from: 'x' })
  await turnEnded(outputs, 2)
  t.same(outputs, [{ type: 'output', content: 'hi there' }, { type: 'status', state: 'idle' }, { type: 'status', state: 'idle' }])
})

t.test('echo repeats unmatched input; delay_ms delays the answer; stop cancels pending answers', async (t) => {
  const backend = new MockBackend({ type: 'mock', echo: true, script: [{ match: 'slow', response: 'late', delay_ms: 150 }] })
  const outputs = run(backend)
  await backend.start()
  backend.sendInput({ type: 'task', content: 'say this back', from: 'orchestrator' })
  await turnEnded(outputs, 1)
  t.same(outputs[0], { type: 'output', content: 'say this back' })
  const sent = Date.now()
  backend.sendInput({ type: 'task', content: 'slow one', from: 'orchestrator' })
  await turnEnded(outputs, 2)
  t.ok(Date.now() - sent >= 140, 'answered after its delay')
  backend.sendInput({ type: 'task', content: 'slow again', from: 'orchestrator' })
  await backend.stop()
  await new Promise((r) => setTimeout(r, 250))
  t.equal(outputs.filter((o) => o.type === 'status').length, 2, 'a stopped backend answers nothing more')
  t.same(backend.health(), { alive: false })
})
