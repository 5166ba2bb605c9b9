import type { Command } from 'commander'
import { errors } from '../../errors.js'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'

interface TaskOptions {
  queue?: boolean
  json?: boolean
}

export function registerTask(program: Command, env: CliEnvironment): void {
  program
    .command('task')
    .description('send a task to an agent: over HTTP when a server answers, else into the database queue its daemon polls')
    .argument('<swarm>', 'swarm name')
    .argument('<agent>', 'agent name')
    .argument('<text...>', 'the task (several words are joined with spaces)')
    .option('--queue', 'skip the server and queue the task in the database')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  genswarms task research-swarm researcher "Research the history of the transistor"')
    .action(withContext(env, task))
}

async function task(ctx: CliContext, swarm: string, agent: string, words: string[], opts: TaskOptions): Promise<void> {
  const text = words.join(' ')
  if (text.trim() === '') throw errors.invalidInput('the task text is empty')
  const c = ctx.out.out
  const host = await ctx.locate(swarm, { via: opts.queue ? 'queue' : 'any', needRunning: true })
  const result = await host.sendTask({ agent, task: text })
  if (result.delivery === 'server') {
    if (opts.json) return ctx.out.json({ status: 'sent', via: 'server', url: result.url, swarm, agent, response: result.response })
    return ctx.out.line(`${c.green('sent')} task to ${c.bold(`${swarm}/${agent}`)} via the server at ${result.url}`)
  }
  const taskId = result.delivery === 'queued' ? result.task_id : null
  if (opts.json) return ctx.out.json({ status: 'queued', via: 'queue', swarm, agent, task_id: taskId })
  ctx.out.line(`${c.green('queued')} task #${taskId} for ${c.bold(`${swarm}/${agent}`)}; the swarm's daemon delivers it`)
}
