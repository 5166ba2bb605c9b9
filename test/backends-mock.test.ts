import t from 'tap'
import { MockBackend } from '../lib/backends/mock.js'
import type { BackendOutput } from '../lib/backends/types.js'

type Outputs = BackendOutput[] & { changed: Set<() => void> }

/** Collects the backend's outputs (it has a single listener) and tells waiters of each new one. */
function run(backend: MockBackend): Outputs {
  const outputs = Object.assign([] as BackendOutput[], { changed: new Set<() => void>() })
  backend.onOutput((o) => {
    outputs.push(o)
    for (const waiter of outputs.changed) waiter()
  })
  return outputs
}

/** Resolves once `turns` turns have ended (a status output each), on the backend's own output event. */
const turnEnded = (outputs: Outputs, turns: number) =>
  new Promise<void>((resolve, reject) => {
    const ended = () => outputs.filter((o) => o.type === 'status').length >= turns
    if (ended()) return resolve()
    const waiter = () => {
      if (!ended()) return
      clearTimeout(timer)
      outputs.changed.delete(waiter)
      resolve()
    }
    const timer = setTimeout(() => {
      outputs.changed.delete(waiter)
      reject(new Error('turn did not end'))
    }, 10_000)
    outputs.changed.add(waiter)
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
  // Proves an absence: longer than the 150 ms delay the cancelled answer had.
  await new Promise((r) => setTimeout(r, 250))
  t.equal(outputs.filter((o) => o.type === 'status').length, 2, 'a stopped backend answers nothing more')
  t.same(backend.health(), { alive: false })
})
