import type { Command } from 'commander'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'

export function registerOverlay(program: Command, env: CliEnvironment): void {
  program
    .command('overlay')
    .description('show (or --clear) the runtime mutations recorded for a swarm, replayed whenever it starts')
    .argument('<swarm>', 'swarm name')
    .option('--clear', 'forget the recorded mutations (the running swarm keeps its shape until it starts again)')
    .option('--json', 'print the entries as JSON')
    .action(withContext(env, overlay))
}

async function overlay(ctx: CliContext, swarm: string, opts: { clear?: boolean; json?: boolean }): Promise<void> {
  const host = ctx.engine().locate(swarm)
  const c = ctx.out.out
  if (opts.clear) {
    const removed = await host.clearOverlay()
    if (opts.json) return ctx.out.json({ status: 'cleared', swarm, removed })
    return ctx.out.line(`${c.green('cleared')} ${removed} overlay entr${removed === 1 ? 'y' : 'ies'} of ${c.bold(swarm)}`)
  }
  const entries = await host.overlay()
  if (opts.json) return ctx.out.json({ swarm, overlay: entries, count: entries.length })
  if (entries.length === 0) return ctx.out.line(`${c.bold(swarm)} has no recorded mutations`)
  for (const e of entries) ctx.out.line(`${c.dim(`#${e.seq}`)} ${c.dim(e.created_at)} ${c.bold(e.op)} ${JSON.stringify(e.payload)}`)
}
