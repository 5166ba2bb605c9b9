import type { Command } from 'commander'
import { CliContext, type CliEnvironment, type GlobalOptions } from './context.js'

/** Ends the command with this exit code; whatever needed saying was already printed. */
export class ExitCode extends Error {
  readonly code: number
  constructor(code: number) {
    super(`exit ${code}`)
    this.code = code
  }
}

/**
 * Adapts a command body to commander's action signature: the body gets a
 * fresh context (global options resolved, database opened on demand and
 * closed afterwards) followed by the command's arguments and options.
 */
export function withContext<A extends unknown[]>(env: CliEnvironment, body: (ctx: CliContext, ...args: A) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args.at(-1) as Command
    const ctx = new CliContext(env, command.optsWithGlobals<GlobalOptions>())
    try {
      await body(ctx, ...(args.slice(0, -1) as A))
    } finally {
      await ctx.close()
    }
  }
}

/** Polls `check` until it returns a value; `check` may throw to give up early. */
export async function until<T>(check: () => T | null | undefined | false, opts: { timeoutMs: number; intervalMs?: number; onTimeout: () => Error }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() >= deadline) throw opts.onTimeout()
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 20))
  }
}

/** A positive integer option. */
export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${value}"`)
    return n
  }
}
