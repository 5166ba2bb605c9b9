import type { Command } from 'commander'
import { isPidAlive } from '../../db/registry.js'
import { readServerPid, removeServerPid } from '../../daemon/server-pid.js'
import { errors } from '../../errors.js'
import { until, withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'

const STOP_TIMEOUT_MS = 30_000

export function registerDown(program: Command, env: CliEnvironment): void {
  program
    .command('down')
    .description('stop the server `genswarms up` started (its in-process swarms stop with it; daemons keep running)')
    .option('--json', 'print the result as JSON')
    .action(withContext(env, down))
}

async function down(ctx: CliContext, opts: { json?: boolean }): Promise<void> {
  const server = readServerPid(ctx.dbPath)
  if (!server) {
    if (opts.json) return ctx.out.json({ status: 'not_running' })
    return ctx.out.line('no server is running')
  }
  const progress = ctx.out.progress(`stopping the server (pid ${server.pid})…`)
  try {
    process.kill(server.pid, 'SIGTERM')
    await until(() => !isPidAlive(server.pid), {
      timeoutMs: STOP_TIMEOUT_MS,
      onTimeout: () => errors.timeout(`the server (pid ${server.pid}) to exit`),
    })
  } finally {
    progress.done()
  }
  removeServerPid(ctx.dbPath, server.pid)
  if (opts.json) return ctx.out.json({ status: 'stopped', pid: server.pid, url: server.url })
  ctx.out.line(`${ctx.out.out.green('stopped')} the server at ${server.url} (pid ${server.pid})`)
}
