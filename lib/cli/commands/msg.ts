import type { Command } from 'commander'
import { errors } from '../../errors.js'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'

export function registerMsg(program: Command, env: CliEnvironment): void {
  program
    .command('msg')
    .description('route a message from one node to another, checked against the topology like agent output')
    .argument('<swarm>', 'swarm name')
    .argument('<from>', 'sending node')
    .argument('<to>', 'receiving node')
    .argument('<text...>', 'the message (several words are joined with spaces)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  genswarms msg research-swarm researcher writer "Findings: ..."')
    .action(withContext(env, msg))
}

async function msg(ctx: CliContext, swarm: string, from: string, to: string, words: string[], opts: { json?: boolean }): Promise<void> {
  const content = words.join(' ')
  if (content.trim() === '') throw errors.invalidInput('the message text is empty')
  // A daemon routes it through its command queue and stores the outcome on the row.
  const result = await (await ctx.locate(swarm, { needRunning: true })).sendMessage({ from, to, content })
  if (opts.json) return ctx.out.json(result)
  ctx.out.line(`${ctx.out.out.green('routed')} ${from} → ${to} in ${ctx.out.out.bold(swarm)}`)
}
