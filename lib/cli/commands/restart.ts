import type { Command } from 'commander'
import { relaunchConfigPath } from '../../daemon/launch.js'
import { GenswarmsError, errors } from '../../errors.js'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'
import { ServerClient } from '../http.js'
import { hostingServer, launchDaemon, stopDaemonProcess } from '../launch.js'

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
  const registry = ctx.engine().registry
  const record = registry.get(name)
  if (!record) throw errors.swarmNotFound(name)
  const c = ctx.out.out
  if (record.status === 'running') {
    const server = await hostingServer(ctx, name, record.pid)
    if (server) {
      const answer = await server.request('POST', `/api/swarms/${encodeURIComponent(name)}/restart?delete=${opts.delete === true}`)
      if (answer.status >= 400) throw new GenswarmsError('GS_SERVER_ERROR', ServerClient.errorText(answer), { statusCode: answer.status })
      if (opts.json) return ctx.out.json(answer.body)
      return ctx.out.line(`${c.green('restarted')} swarm ${c.bold(name)} in the server at ${server.url}`)
    }
  }
  // Read the config before stopping anything, so a swarm whose config became unusable keeps running.
  const configPath = await relaunchConfigPath(record, ctx.dbPath)
  if (record.status === 'running') await stopDaemonProcess(ctx, name)
  if (opts.delete) registry.remove(name, { purge: true })
  const { pid, logPath } = await launchDaemon(ctx, configPath, name)
  if (opts.json) return ctx.out.json({ swarm: name, status: 'running', pid, log_path: logPath, config_path: configPath })
  ctx.out.line(`${c.green('restarted')} swarm ${c.bold(name)} as a daemon (pid ${pid}); log: ${logPath}`)
}
