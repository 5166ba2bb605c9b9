import type { Command } from 'commander'
import { errors } from '../../errors.js'
import type { RestartOutcome } from '../../hosts/index.js'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'
import { withProgress } from '../launch.js'

const STOP_TIMEOUT_MS = 20_000

interface RestartOptions {
  delete?: boolean
  json?: boolean
}

export function registerRestart(program: Command, env: CliEnvironment): void {
  program
    .command('restart')
    .description('stop a swarm and start it again as a daemon, re-reading its config file (a swarm inside a server restarts there)')
    .argument('<name>', 'swarm name')
    .option('--delete', 'start from a clean slate: delete its events, queued tasks and overlay first')
    .option('--json', 'print the result as JSON')
    .action(withContext(env, restart))
}

async function restart(ctx: CliContext, name: string, opts: RestartOptions): Promise<void> {
  const host = await ctx.locate(name)
  const c = ctx.out.out
  if (host.kind === 'server') {
    const outcome = await host.restart({ clean: opts.delete === true, cwd: ctx.cwd })
    if (opts.json) return ctx.out.json({ status: 'restarted', swarm_name: name, source: outcome.host, ...withoutHost(outcome) })
    return ctx.out.line(`${c.green('restarted')} swarm ${c.bold(name)} in the server at ${ctx.server().url}`)
  }
  // The config is read before anything stops, so a swarm whose config became unusable keeps running.
  const outcome = await withProgress(ctx, (onProgress) => host.restart({
    clean: opts.delete === true,
    cwd: ctx.cwd,
    daemon: { entry: ctx.entry, dbPath: ctx.dbPath, env: ctx.env },
    alwaysDaemon: true,
    timeoutMs: STOP_TIMEOUT_MS,
    waitForExit: true,
    onProgress,
  }))
  if (outcome.host !== 'daemon') throw errors.daemonStartFailed(name, 'it was restarted in this process instead')
  const { pid, log_path, config_path } = outcome
  if (opts.json) return ctx.out.json({ swarm: name, status: 'running', pid, log_path, config_path })
  ctx.out.line(`${c.green('restarted')} swarm ${c.bold(name)} as a daemon (pid ${pid}); log: ${log_path}`)
}

function withoutHost(outcome: RestartOutcome): Record<string, unknown> {
  const { host: _host, ...rest } = outcome
  return rest
}
