import type { Socket } from 'node:net'
import t from 'tap'
import { WebSocket } from 'ws'
import type { GenswarmsOptions } from '../lib/options.js'
import { mockAgent, swarmConfig } from './helpers/engine.js'
import { captureLogs, type LogLine } from './helpers/phoenix-logs.js'
import { RawPhoenixClient } from './helpers/phoenix-raw-client.js'
import { startServer, until } from './helpers/server.js'

const MiB = 1024 * 1024

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)))
}

function netSocket(ws: WebSocket): Socket {
  return (ws as unknown as { _socket: Socket })._socket
}

async function openSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url}/websocket?vsn=2.0.0`)
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  // The client may see its own send fail once the server has closed; the close code is what counts.
  ws.on('error', () => {})
  return ws
}

t.test('oversize frames from concurrent clients: every one closes with 1009, logged as a warning without a stack', async (t) => {
  const logs = captureLogs()
  const server = await startServer(t, { logger: logs.logger } as GenswarmsOptions)
  await server.app.swarmManager.start(swarmConfig('frames', [mockAgent('a')]))
  const bystander = await RawPhoenixClient.connect(server.socketUrl)
  t.teardown(() => bystander.close())
  const { joinRef } = await bystander.join('swarm:frames')

  const rounds = 3
  const perRound = 12
  const codes: number[] = []
  for (let round = 0; round < rounds; round++) {
    const sockets = await Promise.all(Array.from({ length: perRound }, () => openSocket(server.socketUrl)))
    const closed = sockets.map(closeCode)
    const warned = logs.lines.filter((l) => l.level >= 40).length
    sockets.forEach((ws, i) => {
      // A valid frame first on some of them, then one past the 1 MiB default in varying sizes.
      if (i % 2 === 0) ws.send(JSON.stringify([null, '1', 'phoenix', 'heartbeat', {}]))
      ws.send(Buffer.alloc(MiB + 1 + i * 256 * 1024, 0x61).toString())
      // A busy client reads late: the server's close frame must still be there when it does.
      netSocket(ws).pause()
    })
    await until(() => logs.lines.filter((l) => l.level >= 40).length >= warned + perRound, 'the server has refused every frame')
    for (const ws of sockets) netSocket(ws).resume()
    codes.push(...(await Promise.all(closed)))
    const heartbeat = await bystander.call('phoenix', 'heartbeat', {})
    t.equal(heartbeat.payload.status, 'ok', `a bystander is served after round ${round + 1}`)
  }
  t.same(codes, Array(rounds * perRound).fill(1009), 'every oversize frame ends with 1009, never 1006')
  t.equal((await bystander.call('swarm:frames', 'get_status', {}, joinRef)).payload.status, 'ok')

  const refused = logs.lines.filter((l) => l.msg === 'websocket frame refused: closing')
  t.equal(refused.length, rounds * perRound, 'one warning per refused frame')
  t.ok(refused.every((l) => l.level === 40 && !('err' in l) && !JSON.stringify(l).includes('    at ')), 'warn level, no stack trace')
  t.same(logs.errors(), [], 'no error-level log line')
})

t.test('malformed and binary frames: a bounded number of log lines that still count every frame', async (t) => {
  const logs = captureLogs()
  const server = await startServer(t, { logger: logs.logger } as GenswarmsOptions)
  await server.app.swarmManager.start(swarmConfig('noisy', [mockAgent('a')]))
  const bad = ['not json', '[1,2]', '{"a":1}', '[null,"1","swarm:noisy","e"]', '[null,5,"swarm:noisy","e",{}]', '[null,null,7,"e",{}]']
  const clients = 4
  const perClient = 3000
  const binaryEvery = 10

  const senders = await Promise.all(Array.from({ length: clients }, () => RawPhoenixClient.connect(server.socketUrl)))
  await Promise.all(
    senders.map(async (client) => {
      for (let i = 0; i < perClient; i++) {
        if (i % binaryEvery === 0) client.sendRaw(Buffer.from([1, 2, 3]))
        else client.sendRaw(bad[i % bad.length]!)
      }
      // The heartbeat's reply comes after every frame before it was handled.
      await client.sync()
      client.ws.close()
      await client.closed
    }),
  )

  const count = (msg: string) => (lines: LogLine[]) =>
    lines.filter((l) => l.msg.startsWith(msg)).reduce((n, l) => n + (typeof l.repeated === 'number' ? l.repeated : 1), 0)
  const malformed = count('malformed frame dropped')
  const binary = count('binary frame dropped')
  const binaryFrames = clients * (perClient / binaryEvery)
  await until(() => malformed(logs.lines) === clients * perClient - binaryFrames && binary(logs.lines) === binaryFrames, 'the close summaries', 20_000)

  const lines = logs.lines.filter((l) => l.msg.startsWith('malformed frame dropped') || l.msg.startsWith('binary frame dropped'))
  // First line, one summary per 10 s interval (a test this size takes far less on an idle machine) and one at close.
  t.ok(lines.length <= clients * 2 * 4, `${lines.length} log lines for ${clients * perClient} bad frames`)
  t.ok(lines.every((l) => l.level === 40), 'all at warn')
  t.same(logs.errors(), [], 'no error-level log line')
})
