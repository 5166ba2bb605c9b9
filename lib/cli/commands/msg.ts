import type { Command } from 'commander'
import { GenswarmsError, errors } from '../../errors.js'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'
import { ServerClient } from '../http.js'
import { hostingServer, runningRecord } from '../launch.js'

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
  const record = runningRecord(ctx, swarm)

  let result: unknown
  const server = await hostingServer(ctx, swarm, record.pid)
  if (server) {
    const answer = await server.request('POST', `/api/swarms/${encodeURIComponent(swarm)}/message`, { from, to, content })
    if (answer.status >= 400) throw new GenswarmsError('GS_SERVER_ERROR', ServerClient.errorText(answer), { statusCode: answer.status })
    result = answer.body
  } else {
    // A daemon routes it through its command queue and stores the outcome on the row.
    result = await ctx.engine().swarmManager.sendMessage(swarm, from, to, content)
  }
  if (opts.json) return ctx.out.json(result)
  ctx.out.line(`${ctx.out.out.green('routed')} ${from} → ${to} in ${ctx.out.out.bold(swarm)}`)
}
