import t from 'tap'
import { PubSub, swarmOfTopic, topics } from '../lib/pubsub/index.js'

t.test('topics belong to their swarm, even when swarm names contain colons or suffix-like words', async (t) => {
  t.equal(swarmOfTopic(topics.swarm('a')), 'a')
  t.equal(swarmOfTopic(topics.output('a')), 'a')
  t.equal(swarmOfTopic(topics.routing('my-swarm')), 'my-swarm')
  t.equal(swarmOfTopic(topics.status('s_1')), 's_1')
  t.equal(swarmOfTopic(topics.events('output')), 'output')
  t.throws(() => swarmOfTopic('other:x'))
})

t.test('one emitter per swarm, dropped once nobody listens', async (t) => {
  const pubsub = new PubSub()
  const seen: string[] = []
  const offA = pubsub.subscribe(topics.output('a'), (m) => seen.push(`a:${m.event}`))
  const offA2 = pubsub.subscribe(topics.status('a'), (m) => seen.push(`a-status:${m.event}`))
  const offB = pubsub.subscribe(topics.output('b'), (m) => seen.push(`b:${m.event}`))
  t.equal(pubsub.emitterCount(), 2)
  pubsub.publish(topics.output('a'), 'agent_output', {})
  pubsub.publish(topics.output('b'), 'agent_output', {})
  pubsub.publish(topics.routing('a'), 'message_routed', {})
  pubsub.publish(topics.output('nobody'), 'agent_output', {})
  t.same(seen, ['a:agent_output', 'b:agent_output'], 'each subscriber sees exactly its topic')
  t.equal(pubsub.emitterCount(), 2, 'publishing to a swarm nobody watches creates nothing')
  offA()
  offA() // twice is harmless
  t.equal(pubsub.emitterCount(), 2, 'swarm a still has a listener')
  offA2()
  t.equal(pubsub.emitterCount(), 1, 'swarm a is dropped')
  offB()
  t.equal(pubsub.emitterCount(), 0)
  t.equal(pubsub.listenerCount(), 0)
})

t.test('a throwing subscriber does not stop the others', async (t) => {
  const pubsub = new PubSub()
  const errors: unknown[] = []
  pubsub.onHandlerError = (err) => errors.push(err)
  let reached = false
  pubsub.subscribe(topics.swarm('x'), () => {
    throw new Error('boom')
  })
  pubsub.subscribe(topics.swarm('x'), () => {
    reached = true
  })
  pubsub.publish(topics.swarm('x'), 'swarm_started', { status: 'running' })
  t.ok(reached)
  t.equal(errors.length, 1)
})
