import { CommanderError } from 'commander'
import { isGenswarmsError } from '../errors.js'
import { ExitCode } from './command.js'
import type { CliEnvironment } from './context.js'
import { Output } from './output.js'
import { buildProgram } from './program.js'
import type { BuildServer } from './commands/up.js'

export type { BuildServer, ServerApp } from './commands/up.js'
export type { CliEnvironment } from './context.js'

/** Runs one command line; resolves with the exit code. Errors print as one red line (plus a list of validation errors). */
export async function runCli(argv: string[], env: CliEnvironment, buildServer: BuildServer): Promise<number> {
  const program = buildProgram(env, buildServer)
  try {
    await program.parseAsync(argv)
    return 0
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode
    if (err instanceof ExitCode) return err.code
    report(err, new Output(env, !argv.includes('--no-color')))
    return 1
  }
}

function report(err: unknown, out: Output): void {
  const details = isGenswarmsError(err) && Array.isArray(err.details) ? (err.details as unknown[]).map(String) : null
  if (details) {
    out.error(err instanceof Error ? err.message : String(err))
    for (const line of details) out.note(`  ${line}`)
    return
  }
  out.error(err instanceof Error ? err.message : String(err))
}
