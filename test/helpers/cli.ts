import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { openDatabase } from '../../lib/db/open.js'
import { SwarmRegistry, isPidAlive } from '../../lib/db/registry.js'
import { cliCommand } from './cli-build.js'
import { tempDir } from './engine.js'

export const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** A working directory with its own database; the CLI is pointed at a port where nothing listens. */
export interface CliWorkspace {
  dir: string
  db: string
  env: NodeJS.ProcessEnv
  /** runs `genswarms ...args` to completion */
  run(args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult>
  /** starts `genswarms ...args` and leaves it running */
  spawn(args: string[], opts?: { env?: NodeJS.ProcessEnv }): RunningCli
  /** copies an example config into the workspace and returns its file name */
  example(name: string): string
  registry(): SwarmRegistry
}

export interface RunningCli {
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** resolves once stdout matches */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>
  exited: Promise<CliResult>
}

export const NO_SERVER_URL = 'http://127.0.0.1:1'

/** The test runner's loader hooks and flags are its own business, not the CLI's. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || key.startsWith('TAP') || key.startsWith('_TAPJS') || key === 'FORCE_COLOR') continue
    env[key] = value
  }
  return env
}

/**
 * Whether `pid` is a process of this workspace. A test may register a row
 * with the pid of a process that has exited; on a busy machine that pid can be
 * handed to an unrelated process (another test file, the runner) before the
 * teardown runs, and killing it would make that file vanish from the run.
 * Where /proc is there to ask, only a process that carries this workspace's
 * database or directory is killed.
 */
function startedHere(pid: number, db: string, dir: string): boolean {
  if (process.platform !== 'linux') return true
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return environ.includes(`GENSWARMS_DB=${db}`) || cmdline.includes(dir)
  } catch {
    return false
  }
}

export function cliWorkspace(t: Test): CliWorkspace {
  const dir = tempDir(t, 'genswarms-cli-')
  const db = join(dir, '.genswarms', 'swarms.db')
  const env: NodeJS.ProcessEnv = { ...cleanEnv(), GENSWARMS_DB: db, GENSWARMS_URL: NO_SERVER_URL, NO_COLOR: '1' }
  const spawned: ChildProcess[] = []
  // The daemons this CLI starts run the same compiled program, with the same flags.
  const [node, ...cliArgs] = cliCommand()

  const start = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): RunningCli => {
    // A variable set to undefined in `extraEnv` is removed.
    const childEnv = Object.fromEntries(Object.entries({ ...env, ...extraEnv }).filter(([, v]) => v !== undefined))
    const child = spawn(node!, [...cliArgs, ...args], { cwd: dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    spawned.push(child)
    let out = ''
    let err = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
    let closed = false
    const exited = new Promise<CliResult>((resolve) => {
      child.on('close', (code, signal) => {
        closed = true
        resolve({ code, signal, stdout: out, stderr: err })
      })
    })
    return {
      child,
      stdout: () => out,
      stderr: () => err,
      exited,
      waitForOutput(pattern, timeoutMs = 30_000) {
        return new Promise<void>((resolve, reject) => {
          const fail = (why: string) => {
            done()
            reject(new Error(`no output matching ${pattern} (${why}); stdout:\n${out}\nstderr:\n${err}`))
          }
          const check = () => {
            if (!pattern.test(out)) return false
            done()
            resolve()
            return true
          }
          const onClose = () => void (check() || fail(`exited ${child.exitCode ?? child.signalCode}`))
          const timer = setTimeout(() => fail(`${timeoutMs} ms passed`), timeoutMs)
          const done = () => {
            clearTimeout(timer)
            child.stdout!.off('data', check)
            child.off('close', onClose)
          }
          // Registered after the collector above, so `out` already holds the chunk that matches.
          child.stdout!.on('data', check)
          child.on('close', onClose)
          if (!check() && closed) onClose()
        })
      },
    }
  }

  // Whatever a test leaves running (a foreground CLI, a detached daemon) is killed, never left behind.
  t.teardown(() => {
    for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    if (!existsSync(db)) return
    let database
    try {
      database = openDatabase(db)
      for (const record of new SwarmRegistry(database).list()) {
        if (record.status === 'running' && record.pid && record.pid !== process.pid && isPidAlive(record.pid) && startedHere(record.pid, db, dir)) {
          process.kill(record.pid, 'SIGKILL')
        }
      }
    } catch {
      // no database was ever created
    } finally {
      database?.close()
    }
  })

  return {
    dir,
    db,
    env,
    run(args, opts = {}) {
      const running = start(args, opts.env)
      const timeoutMs = opts.timeoutMs ?? 90_000
      const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs)
      return running.exited.finally(() => clearTimeout(timer))
    },
    spawn: (args, opts = {}) => start(args, opts.env),
    example(name) {
      copyFileSync(join(EXAMPLES, name), join(dir, name))
      return name
    },
    registry() {
      const database = openDatabase(db)
      t.teardown(() => database.close())
      return new SwarmRegistry(database)
    },
  }
}
