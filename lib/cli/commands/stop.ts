import type { Command } from 'commander'
import { GenswarmsError } from '../../errors.js'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'
import { ServerClient } from '../http.js'
import { hostingServer, runningRecord, stopDaemonProcess } from '../launch.js'

export function registerStop(program: Command, env: CliEnvironment): void {
  program
    .command('stop')
    .description('stop a running swarm: its daemon stops its agents, flushes its events and exits')
    .argument('<name>', 'swarm name')
    .option('--json', 'print the result as JSON')
    .action(withContext(env, stop))
}

async function stop(ctx: CliContext, name: string, opts: { json?: boolean }): Promise<void> {
  const record = runningRecord(ctx, name)
  const server = await hostingServer(ctx, name, record.pid)
  if (server) {
    const answer = await server.request('DELETE', `/api/swarms/${encodeURIComponent(name)}`)
    if (answer.status >= 400) throw new GenswarmsError('GS_SERVER_ERROR', ServerClient.errorText(answer), { statusCode: answer.status })
  } else {
    await stopDaemonProcess(ctx, name)
  }
  const after = ctx.engine().registry.get(name)
  if (opts.json) ctx.out.json({ swarm: name, status: after?.status ?? 'stopped' })
  else ctx.out.line(`${ctx.out.out.green('stopped')} swarm ${ctx.out.out.bold(name)}`)
}
