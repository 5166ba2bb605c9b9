import t from 'tap'
import { WebSocket } from 'ws'
import { fuzzServer, NASTY_NAMES, Rng } from './helpers/fuzz.js'

// Random and malformed frames from several raw sockets at once, V1 and V2,
// text and binary, with valid joins and calls mixed in, while the official
// phoenix client keeps getting its task answered. A failure prints the seed;
// the same seed replays the same frames.

const SEED = 0x5eed_2026
const FRAMES = 20_000
const SOCKETS = 4
const PROBE_EVERY = 1_000
const EVENTS = ['phx_join', 'phx_leave', 'heartbeat', 'send_task', 'get_status', 'subscribe_logs', 'unsubscribe_logs', 'subscribe_events', 'unsubscribe_events', ...NASTY_NAMES, 'dance', '', 'phx_reply', 'phx_error', 'phx_close']
const TOPICS = ['swarm:fuzz', 'swarm:probe', 'swarm:ghost', 'phoenix', 'swarm:', 'swarm:__proto__', 'swarm:constructor', 'room:x', '', 'swarm:fuzz:output']
// What a server may close a misbehaving socket with; 1006 (no close frame) and 1011 (server error) are never fine.
const FAIR_CLOSES = new Set([1000, 1001, 1002, 1003, 1007, 1008, 1009, 4000, 4001, 4002])

function payload(rng: Rng): unknown {
  switch (rng.int(8)) {
    case 0: return { agent: rng.pick(['a', 'b', 'ghost', ...NASTY_NAMES]), task: rng.chance(0.7) ? `fuzz ${rng.int(1000)}` : rng.json(1) }
    case 1: return { agent: rng.json(1) }
    case 2: return { filters: rng.chance(0.5) ? { level: rng.pick(['info', 'warning', 'error', rng.text(5)]), category: rng.json(1), event_type: rng.pick(['agent_output', '__proto__']) } : rng.json(2) }
    case 3: return { since: rng.number(), filters: {} }
    case 4: return {}
    default: return rng.json(3)
  }
}

/** One text frame: mostly well-formed envelopes with random contents, the rest broken in every way. */
function textFrame(rng: Rng, vsn: string | null, joinRef: string): string {
  const topic = rng.chance(0.8) ? rng.pick(TOPICS) : rng.text(30)
  const event = rng.chance(0.85) ? rng.pick(EVENTS) : rng.text(20)
  const ref = rng.chance(0.9) ? String(rng.int(1e6)) : (rng.pick([null, 1e308, -1, {}, [], 'x'.repeat(5000)]) as unknown)
  const shape = rng.int(20)
  if (shape < 13) {
    if (vsn === '2.0.0') return JSON.stringify([rng.chance(0.8) ? joinRef : rng.json(0), ref, topic, event, payload(rng)])
    return JSON.stringify({ topic, event, payload: payload(rng), ref, join_ref: rng.chance(0.5) ? joinRef : rng.json(0) })
  }
  switch (shape) {
    case 13: return JSON.stringify(Array.from({ length: rng.pick([0, 1, 2, 3, 4, 6, 7]) }, () => rng.json(1)))
    case 14: return JSON.stringify([rng.json(1), rng.json(1), rng.json(1), rng.json(1), rng.json(1)])
    case 15: return rng.text(200)
    case 16: return rng.pick(['', '[', '{', 'null', '1e309', '"x"', '[null,null,null,null,null]', '{"topic":"swarm:fuzz"}', 'true', '-0', '[1,2,3,4,5]'])
    case 17: return `${'['.repeat(2000)}${']'.repeat(2000)}`
    case 18: return JSON.stringify(rng.json(4))
    default: return JSON.stringify(vsn === '2.0.0' ? [joinRef, ref, topic, event, { blob: 'y'.repeat(rng.int(200_000)) }] : { topic, event, ref, payload: { blob: 'y'.repeat(rng.int(200_000)) } })
  }
}

/** A binary frame: random bytes, or a V2 binary push header with lengths that lie. */
function binaryFrame(rng: Rng): Buffer {
  if (rng.chance(0.5)) return rng.bytes(rng.int(64))
  const topic = Buffer.from(rng.pick(TOPICS))
  const event = Buffer.from(rng.pick(EVENTS))
  const header = Buffer.from([0, rng.chance(0.5) ? 1 : rng.int(256), rng.chance(0.5) ? topic.length : rng.int(256), rng.chance(0.5) ? event.length : rng.int(256)])
  return Buffer.concat([header, Buffer.from('1'), topic, event, rng.bytes(rng.int(32))])
}

interface Fuzzer {
  ws: WebSocket
  vsn: string | null
  closed: Promise<number>
}

function open(url: string, vsn: string | null): Promise<Fuzzer> {
  const ws = new WebSocket(vsn === null ? `${url}/websocket` : `${url}/websocket?vsn=${encodeURIComponent(vsn)}`)
  // Pushes are read and dropped: this client is rude, not slow.
  ws.on('message', () => {})
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, vsn, closed }))
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)))
  })
}

t.test(`socket fuzz, seed ${SEED}: ${FRAMES} frames; the server keeps serving a well-behaved client`, async (t) => {
  t.setTimeout(120_000)
  const { server, logs, probe, probeCount } = await fuzzServer(t)
  const rng = new Rng(SEED)
  const vsns = ['2.0.0', '1.0.0', null, '2.0.1']
  const closes: number[] = []
  const fuzzers: Fuzzer[] = []
  let connects = 0
  const connect = async (slot: number) => {
    fuzzers[slot] = await open(server.socketUrl, vsns[slot % vsns.length]!)
    connects++
    const f = fuzzers[slot]!
    void f.closed.then((code) => closes.push(code))
  }
  for (let i = 0; i < SOCKETS; i++) await connect(i)

  // A vsn nobody speaks is refused (at the upgrade, or by a 4002 close right after it), never by a crash.
  const badVsn = await open(server.socketUrl, '3.0.0').then(
    (f) => f.closed.then((code) => `closed ${code}`),
    (err: Error) => err.message,
  )
  t.match(badVsn, /^(upgrade refused: 400|closed 4002)$/, `an unknown vsn is refused: ${badVsn}`)

  let sent = 0
  let binary = 0
  while (sent < FRAMES) {
    const batch = Math.min(PROBE_EVERY, FRAMES - sent)
    for (let i = 0; i < batch; i++) {
      const slot = rng.int(SOCKETS)
      let f = fuzzers[slot]!
      if (f.ws.readyState !== WebSocket.OPEN) {
        await f.closed
        await connect(slot)
        f = fuzzers[slot]!
      }
      if (rng.chance(0.08)) {
        f.ws.send(binaryFrame(rng), { binary: true })
        binary++
      } else {
        f.ws.send(textFrame(rng, f.vsn === '2.0.1' ? '2.0.0' : f.vsn, String(rng.int(50))), { binary: false })
      }
      sent++
    }
    // Let the sockets drain before the next burst, so the test measures the server, not our buffers.
    await Promise.all(fuzzers.map((f) => (f.ws.readyState === WebSocket.OPEN ? new Promise<void>((resolve) => f.ws.send('', () => resolve())) : undefined)))
    await probe()
  }
  // One oversize frame (over the 1 MiB frame limit): the socket is closed, the server stays up.
  const big = await open(server.socketUrl, '2.0.0')
  big.ws.send(JSON.stringify(['1', '1', 'swarm:fuzz', 'send_task', { agent: 'a', task: 'z'.repeat(1024 * 1024 + 10) }]))
  closes.push(await big.closed)
  await probe()
  for (const f of fuzzers) f.ws.close()

  t.ok(sent >= FRAMES, `${sent} frames sent (${binary} binary) over ${connects} connections`)
  t.ok(probeCount() >= FRAMES / PROBE_EVERY, `the well-behaved client was answered ${probeCount()} times during the fuzz`)
  const unfair = closes.filter((c) => !FAIR_CLOSES.has(c))
  t.same(unfair, [], `every close was a deliberate one (closes seen: ${[...new Set(closes)].join(', ') || 'none'})`)
  const errors = logs.errors()
  const kinds = [...new Set(errors.map((l) => `${l.msg}: ${(l.err as { message?: string } | undefined)?.message ?? ''}`))]
  t.same(kinds, [], `no error-level log line (${errors.length} in all)`)
})
