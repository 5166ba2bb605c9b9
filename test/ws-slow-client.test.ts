import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { tempDir } from './helpers/engine.js'
import { RawPhoenixClient } from './helpers/phoenix-raw-client.js'
import { collect, outcome, phoenixSocket, until } from './helpers/server.js'

const MB = 1024 * 1024
const ATTACK_SERVER = fileURLToPath(new URL('./helpers/phoenix-attack-server.ts', import.meta.url))
const EVENT_BYTES = 120 * 1024
const EVENT_COUNT = 120

/** The real server in a child process on a database of large stored events; its IPC messages in order. */
async function attackServer(t: Test) {
  const dir = tempDir(t)
  const child: ChildProcess = fork(ATTACK_SERVER, [join(dir, 'swarms.db'), String(EVENT_COUNT), String(EVENT_BYTES)], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  t.teardown(() => {
    if (child.connected) child.disconnect()
    child.kill()
  })
  const received: Record<string, number | boolean>[] = []
  child.on('message', (m) => received.push(m as Record<string, number | boolean>))
  const next = async (key: string, timeoutMs = 30_000) => {
    const from = received.length
    await until(() => received.slice(from).some((m) => key in m), `${key} from the server process`, timeoutMs)
    return received.slice(from).find((m) => key in m)![key] as number
  }
  const ask = (question: 'reset' | 'peak', key: string) => {
    const answer = next(key)
    child.send(question)
    return answer
  }
  const port = await next('port', 60_000)
  return { url: `ws://127.0.0.1:${port}/swarm`, ask, slowConsumerSeen: () => received.some((m) => m.slowConsumer) }
}

t.test('a client that pipelines subscribes and never reads: cut off, small in memory, others served', async (t) => {
  const server = await attackServer(t)

  const good = phoenixSocket(t, server.url).channel('swarm:big', {})
  const outputs = collect(good, ['agent_output'])
  t.equal((await outcome(good.join())).status, 'ok')
  const sub = await outcome(good.push('subscribe_events', {}))
  const recent = sub.response.recent_events as { id: number; message: string }[]
  t.equal(sub.response.truncated, true, 'the recent list is cut to the reply budget and says so')
  t.ok(recent.length >= 1 && recent.length < 50, `${recent.length} of the newest events fit`)
  t.ok(Buffer.byteLength(JSON.stringify(sub.response)) <= 256 * 1024, 'the reply is within 256 KiB')
  t.ok(recent.every((e, i) => i === 0 || e.id > recent[i - 1]!.id), 'oldest first')
  t.match(recent.at(-1)!.message, new RegExp(`^${EVENT_COUNT - 1} `), 'the newest events are the ones kept')

  const baseline = await server.ask('reset', 'rss')
  const attacker = await RawPhoenixClient.connect(server.url)
  t.teardown(() => attacker.close())
  const { joinRef } = await attacker.join('swarm:big')
  attacker.pauseReading()

  // Ten pipelined subscribes a round (830 bytes or so), until the server cuts the attacker off.
  let round = 0
  while (!server.slowConsumerSeen() && round < 40) {
    for (let i = 0; i < 10; i++) {
      const event = i % 2 === 0 ? 'subscribe_events' : 'subscribe_logs'
      attacker.send(joinRef, attacker.nextRef(), 'swarm:big', event, {})
    }
    // The well-behaved client gets its reply and its push in every round of the attack.
    const task = `ping ${round}`
    t.equal((await outcome(good.push('send_task', { agent: 'echo', task }))).status, 'ok', `reply during round ${round}`)
    await until(() => outputs.some((o) => o.payload.content === task), `the push for ${task}`, 30_000)
    round += 1
  }
  t.ok(server.slowConsumerSeen(), `the attacker is cut off as a slow consumer (after ${round} rounds)`)

  const peak = await server.ask('peak', 'peak')
  t.ok(peak - baseline < 50 * MB, `server RSS grew by ${((peak - baseline) / MB).toFixed(1)} MB during the attack (< 50 MB)`)

  attacker.resumeReading()
  const closed = await attacker.closed
  t.ok([4001, 1006].includes(closed.code), `the attacker's socket is closed (${closed.code})`)
  const status = await outcome(good.push('get_status', {}))
  t.equal(status.status, 'ok', 'the well-behaved client is still served')
})
