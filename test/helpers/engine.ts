import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import type { AgentSpec, MockRule, SwarmConfig } from '../../lib/config/types.js'
import { createEngine, type Engine, type EngineOptions } from '../../lib/engine.js'
import type { PubSubMessage } from '../../lib/pubsub/index.js'

export const LOCAL_AGENT = fileURLToPath(new URL('../../examples/agents/local-agent.mjs', import.meta.url))

export function tempDir(t: Test, prefix = 'genswarms-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A real engine on a fresh SQLite file, synchronous event writes unless told otherwise. */
export function testEngine(t: Test, opts: EngineOptions = {}): Engine & { dir: string } {
  const dir = tempDir(t)
  const engine = createEngine({ dbPath: join(dir, 'swarms.db'), buffered: false, ...opts })
  t.teardown(() => engine.close())
  return Object.assign(engine, { dir })
}

export function mockAgent(name: string, script: MockRule[] = [], extra: Partial<AgentSpec> = {}): AgentSpec {
  return { name, backend: { type: 'mock', script }, skills: [], config: {}, ...extra }
}

export function localAgent(name: string, extra: Partial<AgentSpec> = {}): AgentSpec {
  return { name, backend: { type: 'local', command: [process.execPath, LOCAL_AGENT], kill_grace_ms: 500 }, skills: [], config: {}, ...extra }
}

export function swarmConfig(name: string, agents: AgentSpec[], edges: [string, string][] = []): SwarmConfig {
  return { name, agents, objects: [], topology: edges.map(([from, to]) => ({ from, to })) }
}

/** Resolves with the first message on `topic` that satisfies `pred`. */
export function nextMessage<P = unknown>(
  engine: Engine,
  topic: string,
  pred: (m: PubSubMessage<P>) => boolean = () => true,
  timeoutMs = 5000,
): Promise<PubSubMessage<P>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off()
      reject(new Error(`no matching message on ${topic} within ${timeoutMs} ms`))
    }, timeoutMs)
    const off = engine.pubsub.subscribe<P>(topic, (m) => {
      if (!pred(m)) return
      clearTimeout(timer)
      off()
      resolve(m)
    })
  })
}

/** Polls until `check` returns a truthy value. */
export async function waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
