import type { Command } from 'commander'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'

export function registerPause(program: Command, env: CliEnvironment): void {
  program
    .command('pause')
    .description('pause a running swarm: tasks and messages queue until resume; a turn in progress finishes')
    .argument('<name>', 'swarm name')
    .option('--json', 'print the result as JSON')
    .action(withContext(env, (ctx: CliContext, name: string, opts: { json?: boolean }) => toggle(ctx, name, opts, true)))
  program
    .command('resume')
    .description('resume a paused swarm: what queued meanwhile runs, in order')
    .argument('<name>', 'swarm name')
    .option('--json', 'print the result as JSON')
    .action(withContext(env, (ctx: CliContext, name: string, opts: { json?: boolean }) => toggle(ctx, name, opts, false)))
}

async function toggle(ctx: CliContext, name: string, opts: { json?: boolean }, paused: boolean): Promise<void> {
  const host = await ctx.locate(name, { needRunning: true })
  const outcome = paused ? await host.pause() : await host.resume()
  if (opts.json) return ctx.out.json(outcome)
  const c = ctx.out.out
  const word = paused ? c.yellow('paused') : c.green('resumed')
  ctx.out.line(outcome.changed ? `${word} swarm ${c.bold(name)}` : `swarm ${c.bold(name)} was already ${outcome.status}`)
}
