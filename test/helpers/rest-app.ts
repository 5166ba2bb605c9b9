import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyInstance, type InjectOptions, type LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import genswarms from '../../index.js'
import type { GenswarmsOptions } from '../../lib/options.js'
import { tempDir } from './engine.js'

export interface RestApp {
  app: FastifyInstance
  /** the temp working directory (also holds the database) */
  dir: string
  /** inject and parse: `{status, body}` */
  call(method: InjectOptions['method'], url: string, payload?: unknown, extra?: Partial<InjectOptions>): Promise<{ status: number; body: any; res: LightMyRequestResponse }>
}

/** The plugin in a fresh Fastify app on a temp database and working directory, synchronous event writes, no env influence. */
export async function restApp(t: Test, opts: GenswarmsOptions = {}): Promise<RestApp> {
  const dir = tempDir(t)
  const app = Fastify({ logger: false })
  await app.register(genswarms, {
    dbPath: join(dir, 'swarms.db'),
    cwd: dir,
    apiToken: null,
    corsOrigins: ['http://localhost:5173'],
    events: { buffered: false },
    relay: false,
    daemonEntry: null,
    ...opts,
  })
  t.teardown(() => app.close())
  await app.ready()
  return {
    app,
    dir,
    async call(method, url, payload, extra = {}) {
      const res = await app.inject({ method, url, ...(payload !== undefined ? { payload: payload as InjectOptions['payload'] } : {}), ...extra })
      let body: unknown = res.body
      try {
        body = res.json()
      } catch {
        // not JSON: keep the text
      }
      return { status: res.statusCode, body, res }
    },
  }
}

const DAEMON = fileURLToPath(new URL('./rest-daemon.ts', import.meta.url))

/**
 * A stand-in daemon: another OS process that runs swarm `name` with its own
 * engine on the same database and marks itself stopped on SIGTERM.
 */
export async function fakeDaemon(t: Test, dbPath: string, name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', DAEMON, dbPath, name], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('ready')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`fake daemon exited with ${code} before it was ready`)))
  })
  return child
}

export function exited(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode)
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)))
}

/** Polls an async check until it returns a truthy value. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
