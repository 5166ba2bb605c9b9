import { spawn, spawnSync } from 'node:child_process'
import type { Command } from 'commander'
import { errors } from '../../errors.js'
import { positiveInt, withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'

interface DashboardOptions {
  port?: number
  host?: string
  open?: boolean
  json?: boolean
}

export function registerDashboard(program: Command, env: CliEnvironment): void {
  program
    .command('dashboard')
    .description('print the URL of the running server\'s browser dashboard, and open it when a browser is at hand')
    .option('-p, --port <port>', 'the server\'s port (default: the server `up` started, else PORT or 4000)', positiveInt('--port'))
    .option('--host <host>', 'the server\'s address (default: the server `up` started, else GENSWARMS_HOST or 127.0.0.1)')
    .option('--no-open', 'only print the URL')
    .option('--json', 'print {"url": ...} and open nothing')
    .addHelpText('after', '\nExamples:\n  genswarms dashboard\n  genswarms dashboard --port 4101 --no-open')
    .action(withContext(env, (ctx: CliContext, opts: DashboardOptions) => dashboard(ctx, env, opts)))
}

async function dashboard(ctx: CliContext, env: CliEnvironment, opts: DashboardOptions): Promise<void> {
  const base = opts.port !== undefined || opts.host !== undefined ? serverAt(ctx, opts) : ctx.serverUrl.replace(/\/+$/, '')
  const url = `${base}/dashboard`
  await checkServed(url)
  if (opts.json) return ctx.out.json({ url })
  ctx.out.line(url)
  // Only a person at a terminal wants a browser window; scripts and pipes get the URL alone.
  if (opts.open !== false && env.stdout.isTTY === true) {
    const opener = platformOpener()
    if (opener) openDetached(opener, url)
  }
}

/** The URL of a server listening on --host/--port, as `up` prints it. */
function serverAt(ctx: CliContext, opts: DashboardOptions): string {
  const port = opts.port ?? (ctx.env.PORT ? Number(ctx.env.PORT) : 4000)
  const host = opts.host ?? ctx.env.GENSWARMS_HOST ?? '127.0.0.1'
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  return `http://${reachable.includes(':') && !reachable.startsWith('[') ? `[${reachable}]` : reachable}:${port}`
}

/** The page is public, so this needs no token; it tells a stopped server and an unbuilt dashboard apart. */
async function checkServed(url: string): Promise<void> {
  let res: Response
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(5000) })
  } catch {
    throw errors.serverUnavailable(url.replace(/\/dashboard$/, ''), 'did not answer; start it with `genswarms up`')
  }
  if (res.ok) return
  const body = (await res.json().catch(() => null)) as { error?: string } | null
  throw errors.serverUnavailable(url.replace(/\/dashboard$/, ''), `does not serve the dashboard (${res.status}${body?.error ? `: ${body.error}` : ''})`)
}

/** xdg-open, open or start, whichever this platform has; null when there is none (a server, a container). */
export function platformOpener(platform: NodeJS.Platform = process.platform): string[] | null {
  if (platform === 'darwin') return ['open']
  if (platform === 'win32') return ['cmd', '/c', 'start', '""']
  const found = spawnSync('which', ['xdg-open'], { stdio: 'ignore' })
  return found.status === 0 ? ['xdg-open'] : null
}

function openDetached(opener: string[], url: string): void {
  const child = spawn(opener[0]!, [...opener.slice(1), url], { stdio: 'ignore', detached: true })
  child.on('error', () => {}) // a missing or broken opener leaves the printed URL, which is enough
  child.unref()
}
