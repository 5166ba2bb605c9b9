import type { Command } from 'commander'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'
import { withProgress } from '../launch.js'

const STOP_TIMEOUT_MS = 20_000

export function registerStop(program: Command, env: CliEnvironment): void {
  program
    .command('stop')
    .description('stop a running swarm: its daemon stops its agents, flushes its events and exits')
    .argument('<name>', 'swarm name')
    .option('--json', 'print the result as JSON')
    .action(withContext(env, stop))
}

async function stop(ctx: CliContext, name: string, opts: { json?: boolean }): Promise<void> {
  const host = await ctx.locate(name, { needRunning: true })
  // A daemon's process is waited for too, so its last events are flushed when this returns.
  await withProgress(ctx, (onProgress) => host.stop({ timeoutMs: STOP_TIMEOUT_MS, waitForExit: true, onProgress }))
  const after = ctx.engine().registry.get(name)
  if (opts.json) ctx.out.json({ swarm: name, status: after?.status ?? 'stopped' })
  else ctx.out.line(`${ctx.out.out.green('stopped')} swarm ${ctx.out.out.bold(name)}`)
}
