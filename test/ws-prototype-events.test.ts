import t, { type Test } from 'tap'
import { errors } from '../lib/errors.js'
import type { GenswarmsOptions } from '../lib/options.js'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { captureLogs } from './helpers/phoenix-logs.js'
import { RawPhoenixClient } from './helpers/phoenix-raw-client.js'
import { outcome, phoenixSocket, startServer } from './helpers/server.js'

// Event names and payload keys that exist on every plain object. A lookup in
// an object literal finds them on Object.prototype and calls them as handlers.
const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__']

async function serverWithSwarm(t: Test) {
  const logs = captureLogs()
  // startServer hands its options to buildServer, which takes a logger too.
  const server = await startServer(t, { logger: logs.logger } as GenswarmsOptions)
  await server.app.swarmManager.start(swarmConfig('proto', [mockAgent('researcher', [{ match: '.', response: 'done' }])]))
  return { server, logs }
}

t.test('the official client: prototype-named events answer unknown_event and the channel lives on', async (t) => {
  const { server, logs } = await serverWithSwarm(t)
  const channel = phoenixSocket(t, server.socketUrl).channel('swarm:proto', {})
  let errored = 0
  channel.onError(() => void errored++)
  t.equal((await outcome(channel.join())).status, 'ok')

  for (const name of PROTOTYPE_NAMES) {
    t.same(await outcome(channel.push(name, {})), { status: 'error', response: { reason: 'unknown_event', code: errors.unknownEvent.code } }, name)
  }
  const status = await outcome(channel.push('get_status', {}))
  t.equal(status.status, 'ok', 'the channel still answers')
  t.equal(status.response.name, 'proto')
  t.equal(errored, 0, 'no phx_error')
  t.same(logs.errors(), [], 'no error-level log line')
})

t.test('raw frames: prototype names as events, payload keys and connect params', async (t) => {
  const { server, logs } = await serverWithSwarm(t)
  const client = await RawPhoenixClient.connect(server.socketUrl, '2.0.0', { constructor: 'x', __proto__: 'y', toString: 'z' } as Record<string, string>)
  t.teardown(() => client.close())
  const { joinRef, reply } = await client.join('swarm:proto')
  t.equal(reply.payload.status, 'ok')

  for (const name of PROTOTYPE_NAMES) {
    const answer = await client.call('swarm:proto', name, { [name]: 1 }, joinRef)
    t.same(answer.payload, { status: 'error', response: { reason: 'unknown_event', code: errors.unknownEvent.code } }, name)
  }
  // An inherited key must not stand in for one the client did not send.
  const sendTask = (payload: string) => {
    const ref = client.nextRef()
    const answer = client.waitFor((f) => f.event === 'phx_reply' && f.ref === ref, 'send_task reply')
    client.sendRaw(`["${joinRef}","${ref}","swarm:proto","send_task",${payload}]`)
    return answer
  }
  t.same((await sendTask('{"__proto__":{"agent":"researcher","task":"x"}}')).payload.response, { reason: 'agent must be a non-empty string', code: errors.invalidInput.code })
  t.same((await sendTask('{"agent":"researcher","task":"x","__proto__":{"task":7}}')).payload.response, { status: 'sent' })
  const filters = await client.call('swarm:proto', 'subscribe_events', { filters: { constructor: 'x', __proto__: { level: 'error' } } }, joinRef)
  t.equal(filters.payload.status, 'ok')
  t.same(filters.payload.response.filters, {}, 'only level, category and event_type are filters, and only own keys')
  const logsSub = await client.call('swarm:proto', 'subscribe_logs', JSON.parse('{"__proto__":{"agent":"researcher"}}'), joinRef)
  t.equal(logsSub.payload.response.agent, null)

  // V1 frames are objects: their fields must be own keys too.
  const v1 = await RawPhoenixClient.connect(server.socketUrl, null)
  t.teardown(() => v1.close())
  await v1.join('swarm:proto')
  const bad = v1.waitFor((f) => f.event === 'phx_reply' && f.ref === 'bad-v1', 'reply to a V1 frame without payload')
  v1.sendRaw('{"topic":"swarm:proto","event":"get_status","ref":"bad-v1","__proto__":{"payload":{}}}')
  t.same((await bad).payload, { status: 'error', response: { reason: 'malformed message' } })
  for (const name of PROTOTYPE_NAMES) {
    const answer = await v1.call('swarm:proto', name, {})
    t.same(answer.payload.response, { reason: 'unknown_event', code: errors.unknownEvent.code }, `V1 ${name}`)
  }

  // Topics name swarms: a prototype name is a swarm that does not exist.
  for (const name of PROTOTYPE_NAMES) {
    const join = await client.join(`swarm:${name}`)
    t.same(join.reply.payload, { status: 'error', response: { reason: 'swarm_not_found', code: errors.swarmNotFound.code } }, `swarm:${name}`)
  }

  t.equal((await client.call('swarm:proto', 'get_status', {}, joinRef)).payload.status, 'ok')
  t.notOk(client.received.some((f) => f.event === 'phx_error'), 'no phx_error')
  t.same(logs.errors(), [], 'no error-level log line')
})
