#!/usr/bin/env node
import { fileURLToPath } from 'node:url'
import { runCli } from '../lib/cli/run.js'

// `genswarms | head` closing the pipe is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})

const code = await runCli(
  process.argv,
  {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    // Daemons and background servers are this same program, started the way this one was.
    entry: [process.execPath, ...process.execArgv, fileURLToPath(import.meta.url)],
  },
  // Loaded only by `up`: the other commands never need Fastify.
  async ({ dbPath, daemonEntry, logs }) => (await import('../app.js')).buildServer({ dbPath, daemonEntry, ...(logs?.pretty ? { logger: prettyLogger(logs.colors) } : {}) }),
)
process.exit(code)

/** pino-pretty in pino's worker thread, so formatting never runs on the server's event loop. */
function prettyLogger(colorize: boolean) {
  return {
    level: process.env.LOG_LEVEL ?? 'info',
    transport: { target: 'pino-pretty', options: { colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
  }
}
