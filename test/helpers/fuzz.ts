import { Writable } from 'node:stream'
import type { Test } from 'tap'
import type { SwarmConfig } from '../../lib/config/types.js'
import { outcome, phoenixSocket, startServer, type TestServer } from './server.js'

/**
 * mulberry32: a tiny seeded PRNG, so a failing fuzz run can be replayed
 * exactly by its seed (printed in the test name).
 */
export class Rng {
  #state: number
  constructor(seed: number) {
    this.#state = seed >>> 0
  }
  next(): number {
    let z = (this.#state = (this.#state + 0x6d2b79f5) >>> 0)
    z = Math.imul(z ^ (z >>> 15), z | 1)
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296
  }
  int(max: number): number {
    return Math.floor(this.next() * max)
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n)
    for (let i = 0; i < n; i++) out[i] = this.int(256)
    return out
  }
  /** Printable, control, multi-byte and lone-surrogate characters alike. */
  text(max = 24): string {
    const n = this.int(max + 1)
    let s = ''
    for (let i = 0; i < n; i++) {
      const kind = this.int(10)
      if (kind < 6) s += String.fromCharCode(32 + this.int(95))
      else if (kind < 7) s += String.fromCharCode(this.int(32))
      else if (kind < 8) s += String.fromCharCode(0xd800 + this.int(0x800))
      else if (kind < 9) s += String.fromCodePoint(0x80 + this.int(0x10ff7f - 0x800))
      else s += this.pick(['/', '%', '..', '\\', '"', '\u0000', '{', '[', '&', '=', '?', '#'])
    }
    return s
  }
  /** Numbers a parser or a date library chokes on. */
  number(): number {
    return this.pick([0, -1, 1, 1e308, -1e308, 2 ** 53 + 1, -(2 ** 31), 2 ** 32, 0.5, 1e-320, Number.MAX_SAFE_INTEGER, this.int(100)])
  }
  /** Any JSON value, nested up to `depth`, with the names that bite plain-object lookups mixed in. */
  json(depth = 3): unknown {
    const kind = this.int(depth > 0 ? 9 : 6)
    switch (kind) {
      case 0: return null
      case 1: return this.chance(0.5)
      case 2: return this.number()
      case 3: return this.text()
      case 4: return this.pick(NASTY_NAMES)
      case 5: return this.pick(['', 'x'.repeat(10_000), '1e308', 'NaN', '-1', 'true'])
      case 6: return Array.from({ length: this.int(5) }, () => this.json(depth - 1))
      default: {
        const obj: Record<string, unknown> = {}
        for (let i = this.int(5); i > 0; i--) obj[this.chance(0.3) ? this.pick(NASTY_NAMES) : this.text(8)] = this.json(depth - 1)
        return obj
      }
    }
  }
}

export const NASTY_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__', 'isPrototypeOf'] as const

export interface LogLine {
  level: number
  msg?: string
  [key: string]: unknown
}

/** Every line the server's pino logger writes, parsed; pino's `error` is 50 and `fatal` 60. */
export function logCapture(): { stream: Writable; lines: LogLine[]; errors(): LogLine[] } {
  const lines: LogLine[] = []
  let pending = ''
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString('utf8')
      let nl: number
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        if (!line.trim()) continue
        try {
          lines.push(JSON.parse(line) as LogLine)
        } catch {
          // A line that is not pino's JSON is a problem in itself: count it as an error.
          lines.push({ level: 60, msg: `unparsable log line: ${line.slice(0, 200)}` })
        }
      }
      done()
    },
  })
  return { stream, lines, errors: () => lines.filter((l) => l.level >= 50) }
}

export const ECHO_AGENT = (name: string) => ({ name, backend: { type: 'mock' as const, echo: true }, skills: [], config: {} })

export function echoSwarm(name: string): SwarmConfig {
  return { name, agents: [ECHO_AGENT('a'), ECHO_AGENT('b')], objects: [], topology: [{ from: 'a', to: 'b' }] }
}

/**
 * The real server with its logs captured, a `fuzz` swarm for the fuzzer to
 * hit and a `probe` swarm only the well-behaved client uses, and a check that
 * the well-behaved client is served: the official phoenix client sends a task
 * and gets its output, and a REST GET answers 200.
 */
export async function fuzzServer(t: Test) {
  const logs = logCapture()
  const server: TestServer = await startServer(t, { logger: { level: 'info', stream: logs.stream } })
  await server.app.swarmManager.start(echoSwarm('fuzz'))
  await server.app.swarmManager.start(echoSwarm('probe'))
  const socket = phoenixSocket(t, server.socketUrl)
  const channel = socket.channel('swarm:probe', {})
  const awaited = new Map<string, () => void>()
  channel.on('agent_output', (p: { agent: string; content: string }) => awaited.get(p.content)?.())
  const joined = await outcome(channel.join())
  if (joined.status !== 'ok') throw new Error(`probe join failed: ${JSON.stringify(joined)}`)

  let probes = 0
  /** Resolves when the probe client got its answer; rejects with what went wrong. */
  async function probe(): Promise<void> {
    const task = `probe ${++probes}`
    // Listening before sending: the echo may land before the reply to send_task.
    const answered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        awaited.delete(task)
        reject(new Error(`probe output "${task}" never came`))
      }, 15_000)
      awaited.set(task, () => {
        clearTimeout(timer)
        awaited.delete(task)
        resolve()
      })
    })
    answered.catch(() => {})
    const sent = await outcome(channel.push('send_task', { agent: 'a', task }))
    if (sent.status !== 'ok') throw new Error(`probe send_task: ${JSON.stringify(sent)}`)
    await answered
    const rest = await fetch(`${server.http}/api/swarms/probe`)
    if (rest.status !== 200) throw new Error(`probe GET /api/swarms/probe: ${rest.status} ${await rest.text()}`)
    await rest.body?.cancel()
  }
  return { server, logs, probe, probeCount: () => probes }
}
