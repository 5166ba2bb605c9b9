import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Channel } from 'phoenix'
import type { Test } from 'tap'
import { collect, outcome, phoenixSocket, until, type TestServer } from './server.js'

/** A JSON request to the test server. */
export async function api(server: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.http}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, body: await res.json() }
}

/** Writes a file under the server's working directory (where handler modules must live). */
export function writeModule(dir: string, path: string, source: string): string {
  const full = join(dir, path)
  mkdirSync(dirname(full), { recursive: true })
  writeFileSync(full, source)
  return path
}

export interface Watched {
  channel: Channel
  pushes: { event: string; payload: any }[]
  /** every stored event of the swarm, as pushed by subscribe_events */
  events: () => any[]
  waitEvent(match: (e: any) => boolean, what: string, timeoutMs?: number): Promise<any>
  waitPush(event: string, match: (p: any) => boolean, what: string, timeoutMs?: number): Promise<any>
}

/** Joins `swarm:<name>` with the official phoenix client and subscribes to all its events. */
export async function watch(t: Test, server: TestServer, swarm: string): Promise<Watched> {
  const socket = phoenixSocket(t, server.socketUrl)
  const channel = socket.channel(`swarm:${swarm}`, {})
  const pushes = collect(channel, ['message_routed', 'agent_output', 'event'])
  const joined = await outcome(channel.join())
  if (joined.status !== 'ok') throw new Error(`join failed: ${JSON.stringify(joined)}`)
  const subscribed = await outcome(channel.push('subscribe_events', { filters: {} }))
  if (subscribed.status !== 'ok') throw new Error(`subscribe_events failed: ${JSON.stringify(subscribed)}`)
  const events = () => pushes.filter((p) => p.event === 'event').map((p) => p.payload)
  return {
    channel,
    pushes,
    events,
    async waitEvent(match, what, timeoutMs = 8000) {
      await until(() => events().some(match), what, timeoutMs)
      return events().find(match)
    },
    async waitPush(event, match, what, timeoutMs = 8000) {
      const found = () => pushes.find((p) => p.event === event && match(p.payload))
      await until(() => found() !== undefined, what, timeoutMs)
      return found()!.payload
    },
  }
}
