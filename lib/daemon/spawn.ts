import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

export interface DetachedOptions {
  /** argv: the program and its arguments */
  command: string[]
  /** stdout and stderr are appended here */
  logPath: string
  cwd: string
  env: NodeJS.ProcessEnv
}

export interface Detached {
  pid: number
  logPath: string
  /** where this launch's output starts in the log */
  logOffset: number
  /** set once the child has exited (while we still watch it) */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null
  /** stop watching so this process can exit without it */
  release(): void
}

/**
 * Starts a process that outlives this one: its own process group (a Ctrl-C in
 * the terminal does not reach it), no stdin, output appended to `logPath`.
 */
export function spawnDetached(opts: DetachedOptions): Promise<Detached> {
  mkdirSync(dirname(opts.logPath), { recursive: true })
  const fd = openSync(opts.logPath, 'a')
  const logOffset = statSync(opts.logPath).size
  const [program, ...args] = opts.command
  return new Promise((resolve, reject) => {
    const child = spawn(program!, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', fd, fd] })
    closeSync(fd)
    child.once('error', reject)
    child.once('spawn', () => {
      const handle: Detached = {
        pid: child.pid!,
        logPath: opts.logPath,
        logOffset,
        exit: null,
        release: () => {
          child.removeAllListeners('exit')
          child.unref()
        },
      }
      child.once('exit', (code, signal) => {
        handle.exit = { code, signal }
      })
      resolve(handle)
    })
  })
}

/** The last `maxLines` lines written to a log since `offset`. */
export function logTail(path: string, offset: number, maxLines = 20): string[] {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return []
  }
  try {
    const size = statSync(path).size
    const start = Math.max(offset, size - 64 * 1024)
    const buffer = Buffer.alloc(Math.max(0, size - start))
    readSync(fd, buffer, 0, buffer.length, start)
    return buffer.toString('utf8').split('\n').filter((l) => l.trim() !== '').slice(-maxLines)
  } finally {
    closeSync(fd)
  }
}

/**
 * The most telling line of a failed start: the last error a pino logger wrote
 * (its message and its error's message), else the last line of output.
 */
export function failureReason(lines: string[]): string | null {
  for (const line of [...lines].reverse()) {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } }
      if ((entry.level ?? 0) >= 50) return [entry.msg, entry.err?.message].filter(Boolean).join(': ') || null
    } catch {
      // not a JSON log line
    }
  }
  return lines.at(-1) ?? null
}
