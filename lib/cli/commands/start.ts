import { Option, type Command } from 'commander'
import { resolve } from 'node:path'
import { processLogger } from '../../daemon/logger.js'
import { startDaemon } from '../../daemon/run.js'
import { GenswarmsError, errors, isGenswarmsError } from '../../errors.js'
import { ExitCode, withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'
import { launchDaemon, loadConfig } from '../launch.js'
import { deadAtStart } from '../start-check.js'
import { loadDotEnv } from '../project.js'

interface StartOptions {
  foreground?: boolean
  json?: boolean
  logPath?: string
}

export function registerStart(program: Command, env: CliEnvironment): void {
  program
    .command('start')
    .description('start a swarm as a daemon process (its output goes to <state dir>/logs/<swarm>.log)')
    .argument('<config>', 'swarm config file (.json, .yaml or .yml)')
    .option('--foreground', 'run the swarm in this process until Ctrl-C, logging JSON lines to stdout')
    .option('--json', 'print the result as JSON')
    .addOption(new Option('--log-path <file>', 'log file recorded for the daemon (set when started detached)').hideHelp())
    .addHelpText('after', '\nExamples:\n  genswarms start examples/research-swarm.yaml\n  genswarms start my-swarm.json --foreground')
    .action(withContext(env, start))
}

async function start(ctx: CliContext, file: string, opts: StartOptions): Promise<void> {
  const configPath = resolve(ctx.cwd, file)
  loadDotEnv(ctx)
  if (opts.foreground) return runForeground(ctx, configPath, opts.logPath ?? null)
  // Validate here so the errors print in the terminal, not in a daemon's log.
  const config = await loadConfig(configPath, file)
  const record = ctx.engine({ create: true }).registry.get(config.name)
  if (record?.status === 'running') {
    throw new GenswarmsError(errors.swarmAlreadyRunning.code, `swarm "${config.name}" is already running (pid ${record.pid}); stop it first: genswarms stop ${config.name}`, { statusCode: 409 })
  }
  const before = ctx.engine().eventStore.maxEventId()
  const { pid, logPath } = await launchDaemon(ctx, configPath, config.name)
  const dead = await deadAtStart(ctx, config, before)
  if (opts.json) ctx.out.json({ swarm: config.name, status: 'running', pid, log_path: logPath, config_path: configPath, failed: dead })
  else ctx.out.line(`${ctx.out.out.green('started')} swarm ${ctx.out.out.bold(config.name)} as a daemon (pid ${pid}); log: ${logPath}`)
  if (dead.length === 0) return
  if (!opts.json) {
    ctx.out.error(`${dead.length} of ${config.agents.length} agents of ${config.name} failed at start:`)
    for (const d of dead) ctx.out.note(`  ${d.agent}: ${d.reason}`)
    ctx.out.note(`The daemon keeps running the others; fix the config and run: genswarms restart ${config.name}`)
  }
  throw new ExitCode(1)
}

/** The daemon itself: runs until SIGTERM/SIGINT, then stops cleanly and returns. */
async function runForeground(ctx: CliContext, configPath: string, logPath: string | null): Promise<void> {
  const logger = processLogger('genswarms-daemon')
  let daemon
  try {
    daemon = await startDaemon({ configPath, dbPath: ctx.dbPath, logPath, logger })
  } catch (err) {
    // An error of ours (already running, a bad config) is one line, not a stack trace; the
    // launcher reads it from the daemon's log, and on a terminal the CLI prints it anyway.
    if (isGenswarmsError(err)) {
      if (!process.stdout.isTTY) logger.error({ code: err.code }, `daemon failed to start: ${err.message}`)
    } else {
      logger.error({ err }, 'daemon failed to start')
    }
    throw err
  }
  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means "now": the row then reads crashed, which is the truth.
    if (++signals > 1) process.exit(1)
    void daemon.stop(signal)
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception')
    void daemon.stop('uncaught exception').finally(() => process.exit(1))
  })
  await daemon.stopped
}
