import type { Command } from 'commander'
import { errors } from '../../errors.js'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'
import { waitForTask } from '../task-wait.js'

interface TaskOptions {
  queue?: boolean
  json?: boolean
  wait?: boolean
  timeout: number
}

const DEFAULT_WAIT_S = 120

export function registerTask(program: Command, env: CliEnvironment): void {
  program
    .command('task')
    .description('send a task to an agent: over HTTP when a server answers, else into the database queue its daemon polls')
    .argument('<swarm>', 'swarm name')
    .argument('<agent>', 'agent name')
    .argument('<text...>', 'the task (several words are joined with spaces)')
    .option('--queue', 'skip the server and queue the task in the database')
    .option('--wait', "print the agent's output for this task once its turn ends, then exit (non-zero on failure or timeout)")
    .option('--timeout <s>', `with --wait: give up after this many seconds (default ${DEFAULT_WAIT_S})`, seconds, DEFAULT_WAIT_S)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', [
      '',
      'Examples:',
      '  genswarms task research-swarm researcher "Research the history of the transistor"',
      '  genswarms task research-swarm researcher --wait --timeout 30 "Research the transistor"',
    ].join('\n'))
    .action(withContext(env, task))
}

function seconds(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--timeout must be a positive number of seconds, got "${value}"`)
  return n
}

async function task(ctx: CliContext, swarm: string, agent: string, words: string[], opts: TaskOptions): Promise<void> {
  const text = words.join(' ')
  if (text.trim() === '') throw errors.invalidInput('the task text is empty')
  const c = ctx.out.out
  const host = await ctx.locate(swarm, { via: opts.queue ? 'queue' : 'any', needRunning: true })
  // Taken before sending: the task's events are all written after it.
  const afterId = opts.wait ? ctx.engine().eventStore.maxEventId() : 0
  const result = await host.sendTask({ agent, task: text })
  const taskId = result.delivery === 'queued' ? result.task_id : result.delivery === 'server' ? (result.response.task_id as number | string | undefined) ?? null : result.task_id
  if (opts.wait) {
    if (taskId === null) throw errors.invalidInput('the server did not name the task it accepted (an older version?), so its output cannot be told apart; run without --wait')
    const { outputs } = await waitForTask({
      store: ctx.engine().eventStore,
      swarm,
      agent,
      taskId,
      afterId,
      timeoutMs: opts.timeout * 1000,
      onOutput: (content) => (opts.json ? undefined : ctx.out.line(content)),
    })
    if (opts.json) return ctx.out.json({ status: 'done', swarm, agent, task_id: taskId, outputs })
    if (outputs.length === 0) ctx.out.note(`${swarm}/${agent} finished task ${taskId} without output`)
    return
  }
  if (result.delivery === 'server') {
    if (opts.json) return ctx.out.json({ status: 'sent', via: 'server', url: result.url, swarm, agent, task_id: taskId, response: result.response })
    return ctx.out.line(`${c.green('sent')} task to ${c.bold(`${swarm}/${agent}`)} via the server at ${result.url}`)
  }
  if (opts.json) return ctx.out.json({ status: 'queued', via: 'queue', swarm, agent, task_id: taskId })
  ctx.out.line(`${c.green('queued')} task #${taskId} for ${c.bold(`${swarm}/${agent}`)}; the swarm's daemon delivers it`)
}
