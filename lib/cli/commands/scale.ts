import type { Command } from 'commander'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'

export function registerScale(program: Command, env: CliEnvironment): void {
  program
    .command('scale')
    .description('give agent <base> of a running swarm <count> clones, <base>_1..<base>_<count>, that share its work')
    .argument('<swarm>', 'swarm name')
    .argument('<base>', 'the agent to clone; its clones are <base>_1, <base>_2, ...')
    .argument('<count>', 'how many clones to keep (0-100; 0 removes them all)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', [
      '',
      'Clones copy the spec and the edges of <base> (or of <base>_1 when there is no <base>); clones past',
      '<count> are stopped and removed. Tasks and messages addressed to <base> are spread round-robin over',
      '<base> and its clones; a clone addressed by its own name gets exactly that. The change is recorded in',
      'the swarm\'s overlay, so the clones are back when the swarm starts again, until `genswarms overlay',
      '<swarm> --clear` or `genswarms clean` (which forgets the overlays of the swarms it removes).',
      '',
      'Example:',
      '  genswarms scale research-swarm writer 2     # writer, writer_1 and writer_2 share the writing',
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
