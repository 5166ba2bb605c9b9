import type { Command } from 'commander'
import { cleanSwarms } from '../../hosts/index.js'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'

export function registerClean(program: Command, env: CliEnvironment): void {
  program
    .command('clean')
    .description('remove stopped and crashed swarms from the database')
    .option('--all', "also delete their events, queued tasks, commands and overlays")
    .option('--json', 'print the result as JSON')
    .action(withContext(env, clean))
}

async function clean(ctx: CliContext, opts: { all?: boolean; json?: boolean }): Promise<void> {
  if (!ctx.hasDatabase) return opts.json ? ctx.out.json({ status: 'cleaned', removed: [] }) : ctx.out.line('nothing to clean')
  const removed = await cleanSwarms(ctx.engine().reach, { all: opts.all === true })
  if (opts.json) return ctx.out.json({ status: 'cleaned', removed })
  ctx.out.line(removed.length ? `removed ${removed.length} swarm${removed.length === 1 ? '' : 's'}: ${removed.join(', ')}` : 'nothing to clean')
}
