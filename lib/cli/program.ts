import { Command } from 'commander'
import { registerClean } from './commands/clean.js'
import { registerConfig } from './commands/config.js'
import { registerDashboard } from './commands/dashboard.js'
import { registerDown } from './commands/down.js'
import { registerEvents, registerLogs } from './commands/events.js'
import { registerInit } from './commands/init.js'
import { registerMsg } from './commands/msg.js'
import { registerOverlay } from './commands/overlay.js'
import { registerPause } from './commands/pause.js'
import { registerRestart } from './commands/restart.js'
import { registerScale } from './commands/scale.js'
import { registerSkills } from './commands/skills.js'
import { registerSnapshot } from './commands/snapshot.js'
import { registerStart } from './commands/start.js'
import { registerStatus } from './commands/status.js'
import { registerStop } from './commands/stop.js'
import { registerTask } from './commands/task.js'
import { registerUp, type BuildServer } from './commands/up.js'
import type { CliEnvironment } from './context.js'
import { colorsFor } from './output.js'
import { packageVersion } from '../version.js'

/** `genswarms` (also installed as `swarm`): every command in docs/cli.md. */
export function buildProgram(env: CliEnvironment, buildServer: BuildServer): Command {
  const red = colorsFor(env.stderr, env.env).red
  const program = new Command('genswarms')
    .description('Run swarms of agents as daemons or inside a server, and watch them live.')
    .version(packageVersion(), '-V, --version')
    .option('--db <path>', 'SQLite database (default: GENSWARMS_DB or .genswarms/swarms.db)')
    .option('--url <url>', 'server URL (default: GENSWARMS_URL, the server `up` started, or http://127.0.0.1:$PORT)')
    .option('--no-color', 'plain output even on a terminal')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => env.stdout.write(text),
      writeErr: (text) => env.stderr.write(text),
      outputError: (text, write) => write(red(text)),
    })
    .addHelpText('after', [
      '',
      'Environment: GENSWARMS_DB, GENSWARMS_URL, GENSWARMS_API_TOKEN (sent as Bearer), PORT, GENSWARMS_HOST, NO_COLOR.',
      'Run `genswarms <command> --help` for a command\'s options.',
    ].join('\n'))
  registerInit(program, env)
  registerUp(program, env, buildServer)
  registerDown(program, env)
  registerStart(program, env)
  registerStop(program, env)
  registerRestart(program, env)
  registerStatus(program, env)
  registerTask(program, env)
  registerMsg(program, env)
  registerLogs(program, env)
  registerEvents(program, env)
  registerConfig(program, env)
  registerClean(program, env)
  registerScale(program, env)
  registerOverlay(program, env)
  registerSnapshot(program, env)
  registerPause(program, env)
  registerSkills(program, env)
  registerDashboard(program, env)
  return program
}
