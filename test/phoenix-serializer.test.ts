import t from 'tap'
import {
  parseConnectUrl,
  ProtocolError,
  ProtocolErrorCode,
  serializerFor,
  serializerV1,
  serializerV2,
  topicMatches,
} from '../lib/phoenix/index.js'
import { binaryPushAddress } from '../lib/phoenix/serializer.js'

function decodeError(fn: () => unknown): ProtocolError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ProtocolError) return err
    throw err
  }
  throw new Error('expected a ProtocolError')
}

t.test('V2 encodes arrays and decodes them strictly', async (t) => {
  t.equal(serializerV2.encode({ joinRef: '1', ref: null, topic: 'room:a', event: 'ev', payload: { a: 1 } }), '["1",null,"room:a","ev",{"a":1}]')
  t.same(serializerV2.decode('["1","2","room:a","phx_join",{"x":[1]}]'), { joinRef: '1', ref: '2', topic: 'room:a', event: 'phx_join', payload: { x: [1] } })
  t.same(serializerV2.decode('[null,null,"t","e",3]').payload, 3, 'payload may be any JSON')

  t.equal(decodeError(() => serializerV2.decode('[1,')).code, ProtocolErrorCode.malformedJson)
  for (const bad of ['{}', '[]', '[null,null,"t","e"]', '[null,null,"t","e",{},6]', '"x"', 'null']) {
    const err = decodeError(() => serializerV2.decode(bad))
    t.equal(err.code, ProtocolErrorCode.malformedMessage, bad)
    t.equal(err.recovered, null, `${bad}: nothing to address a reply to`)
  }
  const badEvent = decodeError(() => serializerV2.decode('["1","2","room:a",5,{}]'))
  t.same(badEvent.recovered, { joinRef: '1', ref: '2', topic: 'room:a' })
  t.equal(decodeError(() => serializerV2.decode('[1,"2","t","e",{}]')).recovered, null, 'numeric join_ref')
  t.equal(decodeError(() => serializerV2.decode('[null,2,"t","e",{}]')).recovered, null, 'numeric ref')
  t.equal(decodeError(() => serializerV2.decode('[null,"2",7,"e",{}]')).recovered, null, 'numeric topic')
  t.equal(badEvent.name, 'ProtocolError')
  t.equal(badEvent.statusCode, 400)
})

t.test('V1 encodes objects without join_ref and decodes them strictly', async (t) => {
  t.same(JSON.parse(serializerV1.encode({ joinRef: '9', ref: '3', topic: 't', event: 'e', payload: {} })), { topic: 't', event: 'e', payload: {}, ref: '3' })
  t.same(serializerV1.decode('{"topic":"t","event":"e","payload":{},"ref":"1"}'), { joinRef: null, ref: '1', topic: 't', event: 'e', payload: {} })
  t.same(serializerV1.decode('{"topic":"t","event":"e","payload":{},"ref":null,"join_ref":"4"}').joinRef, '4')
  for (const bad of ['[]', '{"event":"e","payload":{},"ref":null}', '{"topic":"t","payload":{},"ref":null}', '{"topic":"t","event":"e","ref":null}', '{"topic":"t","event":"e","payload":{}}', '{"topic":"t","event":"e","payload":{},"ref":1}']) {
    t.equal(decodeError(() => serializerV1.decode(bad)).code, ProtocolErrorCode.malformedMessage, bad)
  }
  t.same(decodeError(() => serializerV1.decode('{"topic":"t","event":"e","ref":"5"}')).recovered, { joinRef: null, ref: '5', topic: 't' })
})

t.test('serializer by vsn: 2.0.x, 1.0.x or absent; anything else refused', async (t) => {
  t.equal(serializerFor('2.0.0'), serializerV2)
  t.equal(serializerFor('2.0.7'), serializerV2)
  t.equal(serializerFor('1.0.0'), serializerV1)
  t.equal(serializerFor(undefined), serializerV1)
  t.equal(serializerFor(null), serializerV1)
  for (const vsn of ['3.0.0', '2.1.0', '2', '', 'latest']) {
    t.equal(decodeError(() => serializerFor(vsn)).code, ProtocolErrorCode.unsupportedVsn, vsn)
  }
})

t.test('parseConnectUrl splits vsn from the connect params', async (t) => {
  const info = parseConnectUrl('/swarm/websocket?vsn=2.0.0&token=s3cret&user=a&user=b')
  t.equal(info.vsn, '2.0.0')
  t.equal(info.serializer, serializerV2)
  t.same(info.params, { token: 's3cret', user: 'b' })
  t.same(parseConnectUrl('ws://h:1/swarm/websocket').params, {})
  t.equal(parseConnectUrl('ws://h:1/swarm/websocket').serializer, serializerV1)
  t.throws(() => parseConnectUrl('/swarm/websocket?vsn=9'), { code: ProtocolErrorCode.unsupportedVsn })
})

t.test('binary push header is readable enough to address an error reply', async (t) => {
  const fields = ['3', '4', 'room:a', 'ev'].map((s) => Buffer.from(s))
  const frame = Buffer.concat([Buffer.from([0, ...fields.map((f) => f.length)]), ...fields, Buffer.from('data')])
  t.same(binaryPushAddress(frame), { joinRef: '3', ref: '4', topic: 'room:a' })
  t.equal(binaryPushAddress(Buffer.from([1, 0, 0, 0, 0])), null, 'not a push')
  t.equal(binaryPushAddress(Buffer.from([0, 9, 0, 0, 0, 1])), null, 'sizes beyond the frame')
  t.equal(binaryPushAddress(Buffer.from([0, 1])), null, 'short header')
})

t.test('topic patterns: trailing * is a prefix match, otherwise exact', async (t) => {
  t.ok(topicMatches('swarm:*', 'swarm:a'))
  t.ok(topicMatches('swarm:*', 'swarm:'))
  t.notOk(topicMatches('swarm:*', 'swarms:a'))
  t.ok(topicMatches('lobby', 'lobby'))
  t.notOk(topicMatches('lobby', 'lobby:1'))
})

t.test('encoding builds what JSON.stringify of the frame gives, for any payload', async (t) => {
  const payloads: unknown[] = [{ a: 1, b: [null, 'x'] }, [], 'text', 3, null, undefined, { toJSON: () => ({ via: 'toJSON' }) }, { s: 'quote " and \u2028' }]
  for (const [i, payload] of payloads.entries()) {
    for (const [joinRef, ref] of [['1', null], [null, '7'], [null, null]] as const) {
      const msg = { joinRef, ref, topic: 'swarm:a', event: 'agent_output', payload }
      t.equal(serializerV2.encode(msg), JSON.stringify([joinRef, ref, msg.topic, msg.event, payload]), `V2, payload ${i}`)
      t.equal(serializerV1.encode(msg), JSON.stringify({ topic: msg.topic, event: msg.event, payload, ref }), `V1, payload ${i}`)
    }
  }
})

t.test('a payload pushed to many sockets is encoded for each of them, and afresh once changed', async (t) => {
  const payload = { agent: 'a', content: 'one' }
  const frames = ['1', '2', '3'].map((joinRef) => serializerV2.encode({ joinRef, ref: null, topic: 'swarm:s', event: 'agent_output', payload }))
  t.same(frames, ['1', '2', '3'].map((j) => `["${j}",null,"swarm:s","agent_output",{"agent":"a","content":"one"}]`))
  await Promise.resolve()
  payload.content = 'two'
  t.equal(serializerV1.encode({ joinRef: null, ref: null, topic: 'swarm:s', event: 'agent_output', payload }), '{"topic":"swarm:s","event":"agent_output","payload":{"agent":"a","content":"two"},"ref":null}')
})
