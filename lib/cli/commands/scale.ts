import type { Command } from 'commander'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'

export function registerScale(program: Command, env: CliEnvironment): void {
  program
    .command('scale')
    .description('scale the agent group <base> of a running swarm to <count> members named base_1..base_n')
    .argument('<swarm>', 'swarm name')
    .argument('<base>', 'group name: members are <base>_1, <base>_2, ...')
    .argument('<count>', 'how many members to keep (0-100)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', [
      '',
      'New members clone the spec and the edges of an existing member (or of the agent named <base>);',
      'members past <count> are stopped and removed. The change is recorded in the swarm\'s overlay,',
      'so the members are back when the swarm starts again.',
      '',
      'Example:',
      '  genswarms scale research-swarm worker 3',
    ].join('\n'))
    .action(withContext(env, scale))
}

async function scale(ctx: CliContext, swarm: string, base: string, countText: string, opts: { json?: boolean }): Promise<void> {
  const count = Number(countText)
  // For a daemon: validated here against the stored config, then applied by the daemon through its command queue.
  const host = await ctx.locate(swarm, { needRunning: true })
  const { added, removed, failed } = await host.mutate({ op: 'scale', base, count })
  if (opts.json) return ctx.out.json({ status: 'ok', swarm, base, count, result: { added, removed, failed } })
  const c = ctx.out.out
  const list = (names: string[]) => (names.length ? names.join(', ') : 'none')
  ctx.out.line(`${c.green('scaled')} ${c.bold(`${swarm}/${base}`)} to ${count}: added ${list(added)}; removed ${list(removed)}`)
  if (failed.length) ctx.out.warn(`failed to start: ${failed.join(', ')}`)
}
