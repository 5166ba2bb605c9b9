import type { Command } from 'commander'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { loadConfigFile, type SwarmConfig } from '../../config/index.js'
import { serverLogPath } from '../../daemon/paths.js'
import { readServerPid, removeServerPid, writeServerPid } from '../../daemon/server-pid.js'
import { failureReason, logTail, spawnDetached } from '../../daemon/spawn.js'
import { GenswarmsError, errors } from '../../errors.js'
import type { SwarmManager } from '../../swarm/manager.js'
import { positiveInt, withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'
import { ServerClient } from '../../hosts/index.js'
import { loadDotEnv, projectSwarm } from '../project.js'

const START_TIMEOUT_MS = 60_000

/** The parts of the Fastify app `up` uses; the app itself is built outside lib/ (see bin/genswarms.ts). */
export interface ServerApp {
  listen(opts: { port: number; host: string }): Promise<string>
  close(): PromiseLike<unknown>
  swarmManager: SwarmManager
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void }
  server: { address(): AddressInfo | string | null }
}

/** `daemonEntry` is how this CLI runs itself, so the server relaunches daemon swarms with the same program. */
export type BuildServer = (opts: { dbPath: string; daemonEntry: string[]; logs?: LogFormat }) => Promise<ServerApp>

/** `pretty`: one coloured line per entry, for a person at a terminal; `json`: one JSON object per line, for files and log shippers. */
export interface LogFormat {
  pretty: boolean
  colors: boolean
}

interface UpOptions {
  port?: number
  host?: string
  foreground?: boolean
  swarm?: string[]
  json?: boolean
}

export function registerUp(program: Command, env: CliEnvironment, buildServer: BuildServer): void {
  program
    .command('up')
    .description('start the server (REST API and WebSocket); in the background unless --foreground')
    .option('-p, --port <port>', 'port to listen on (default: PORT or 4000; 0 picks a free one)', positiveInt('--port'))
    .option('--host <host>', 'address to listen on (default: GENSWARMS_HOST or 127.0.0.1)')
    .option('--foreground', 'run in this process until Ctrl-C, logging to stdout: readable lines on a terminal, JSON lines otherwise (LOG_FORMAT=json|pretty decides)')
    .option('--swarm <config...>', 'also start these swarm configs inside the server once it listens (default in a `genswarms init` project: the one its genswarms.json names)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  genswarms up\n  genswarms up --foreground --port 4100 --swarm examples/research-swarm.yaml')
    .action(withContext(env, (ctx: CliContext, opts: UpOptions) => up(ctx, opts, buildServer)))
}

async function up(ctx: CliContext, opts: UpOptions, buildServer: BuildServer): Promise<void> {
  const running = readServerPid(ctx.dbPath)
  if (running && running.pid !== process.pid) throw errors.serverAlreadyRunning(running.pid, running.url)
  loadDotEnv(ctx)
  // In a project made by `genswarms init`, its genswarms.json names the swarm to run.
  const project = opts.swarm || opts.foreground ? null : projectSwarm(ctx)
  const configPaths = project ? [project.path] : (opts.swarm ?? []).map((file) => resolve(ctx.cwd, file))
  // Every config is checked before anything starts, so a typo does not leave a half-started server.
  const configs = await Promise.all(configPaths.map(async (path) => ({ path, config: await loadConfigFile(path) })))
  if (opts.foreground) return serve(ctx, opts, configs, buildServer)

  const logPath = serverLogPath(ctx.dbPath)
  const child = await spawnDetached({
    command: [
      ...ctx.entry, 'up', '--foreground', '--db', ctx.dbPath,
      ...(opts.port !== undefined ? ['--port', String(opts.port)] : []),
      ...(opts.host ? ['--host', opts.host] : []),
      ...configPaths.flatMap((path) => ['--swarm', path]),
    ],
    logPath,
    cwd: ctx.cwd,
    env: ctx.env,
  })
  const progress = ctx.out.progress(`starting the server (pid ${child.pid})…`)
  let url: string
  try {
    url = await waitForServer(ctx, child)
  } finally {
    progress.done()
    child.release()
  }
  if (opts.json) return ctx.out.json({ status: 'running', url, pid: child.pid, log_path: logPath, swarms: configs.map((c) => c.config.name) })
  ctx.out.line(`${ctx.out.out.green('server running')} at ${ctx.out.out.bold(url)} (pid ${child.pid}); log: ${logPath}`)
  if (project) ctx.out.line(`running swarm ${ctx.out.out.bold(configs[0]!.config.name)} from ${project.why}`)
}

async function waitForServer(ctx: CliContext, child: Awaited<ReturnType<typeof spawnDetached>>): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (child.exit) {
      const reason = failureReason(logTail(child.logPath, child.logOffset))
      // The child's own one-line error (a busy port, a bad config) is the reason; its exit code adds nothing.
      if (reason?.startsWith('error: ')) throw new GenswarmsError(errors.serverUnavailable.code, `${reason.slice('error: '.length)} (log: ${child.logPath})`, { statusCode: 503 })
      throw errors.serverUnavailable('(not started)', `exited with code ${child.exit.code}${reason ? `: ${reason}` : ''} (log: ${child.logPath})`)
    }
    const recorded = readServerPid(ctx.dbPath)
    if (recorded?.pid === child.pid && (await new ServerClient(recorded.url, ctx.env.GENSWARMS_API_TOKEN || null).answers())) return recorded.url
    if (Date.now() > deadline) {
      process.kill(child.pid, 'SIGTERM')
      throw errors.timeout(`the server to answer (log: ${child.logPath})`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The server in this process until SIGINT/SIGTERM. */
async function serve(ctx: CliContext, opts: UpOptions, configs: { path: string; config: SwarmConfig }[], buildServer: BuildServer): Promise<void> {
  // A terminal gets readable lines; a log file or a pipe keeps JSON. LOG_FORMAT=json|pretty decides when set.
  const pretty = ctx.env.LOG_FORMAT ? ctx.env.LOG_FORMAT === 'pretty' : ctx.out.stdoutIsTerminal
  const app = await buildServer({ dbPath: ctx.dbPath, daemonEntry: ctx.entry, logs: { pretty, colors: ctx.out.out.isColorSupported } })
  const port = opts.port ?? (ctx.env.PORT ? Number(ctx.env.PORT) : 4000)
  const host = opts.host ?? ctx.env.GENSWARMS_HOST ?? '127.0.0.1'
  try {
    await app.listen({ port, host })
  } catch (err) {
    await app.close()
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw errors.serverUnavailable(`http://${host}:${port}`, `cannot start: port ${port} is already in use on ${host}; choose another with --port (or stop what listens there)`)
    }
    throw err
  }
  const address = app.server.address() as AddressInfo
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  const url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${address.port}`
  writeServerPid(ctx.dbPath, url)
  const stopped = new Promise<NodeJS.Signals>((resolveSignal) => {
    let signals = 0
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) process.exit(1)
      resolveSignal(signal)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
  for (const { path, config } of configs) {
    try {
      await app.swarmManager.start(config, { configPath: path })
      app.log.info({ swarm: config.name, config_path: path }, 'swarm started')
    } catch (err) {
      app.log.error({ err, swarm: config.name }, 'swarm did not start')
    }
  }
  const signal = await stopped
  app.log.info({ signal }, 'server stopping')
  await app.close()
  removeServerPid(ctx.dbPath)
}
