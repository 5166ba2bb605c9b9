import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { errors } from '../lib/errors.js'

/**
 * The files `scripts/build-dashboard.mjs` writes, and nothing else: a request
 * names one of these or gets a 404, so no path from a URL ever reaches the
 * file system.
 */
const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'app.js.LEGAL.txt': 'text/plain; charset=utf-8',
}

/**
 * The page and its assets are public: a browser navigating to the page
 * cannot send `Authorization`, and the files hold no data. Everything the
 * page then reads goes through the API and the socket, under every rule of
 * plugins/auth.ts.
 */
export const PUBLIC_ROUTE = { public: true }

/**
 * Serves the dashboard built into dist/dashboard: the page at `/dashboard`,
 * its assets under `/dashboard/`. The page finds the API and the socket from
 * its own URL, so it works under any prefix and behind any port.
 */
async function dashboardPlugin(app: FastifyInstance, opts: { dashboardDir?: string }): Promise<void> {
  const dir = opts.dashboardDir ?? defaultDashboardDir()
  const hidden = { hide: true }

  app.get('/dashboard', { schema: hidden, config: PUBLIC_ROUTE }, async (_request, reply) => {
    // Relative asset URLs: the page never needs to know the prefix it is served under.
    reply.header('cache-control', 'no-cache')
    return sendFile(reply, dir, 'index.html', 'text/html; charset=utf-8')
  })
  // `/dashboard/` would resolve the page's relative URLs one level too deep.
  app.get('/dashboard/', { schema: hidden, config: PUBLIC_ROUTE }, async (_request, reply) => reply.redirect('../dashboard', 301))
  app.get('/dashboard/:file', { schema: hidden, config: PUBLIC_ROUTE }, async (request, reply) => {
    const { file } = request.params as { file: string }
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file]! : null
    if (type === null) {
      const err = errors.routeNotFound(request.method, request.url.split('?')[0]!)
      return reply.code(err.statusCode).send({ error: err.message, code: err.code })
    }
    return sendFile(reply, dir, file, type)
  })
}

async function sendFile(reply: FastifyReply, dir: string, file: string, type: string): Promise<FastifyReply> {
  let body: Buffer
  try {
    body = await readFile(join(dir, file))
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause
    const err = errors.dashboardNotBuilt(dir)
    return reply.code(err.statusCode).send({ error: err.message, code: err.code })
  }
  // The page runs only its own bundle; nothing from other origins, no inline script.
  reply.header('content-security-policy', "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
  reply.header('x-content-type-options', 'nosniff')
  return reply.type(type).send(body)
}

/**
 * `dist/dashboard` of this package, found from this file wherever it was
 * compiled to (dist/plugins, the tests' build, or the sources run by tsx):
 * the nearest folder above it that holds a package.json is the package root.
 */
export function defaultDashboardDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return join(dir, 'dist', 'dashboard')
}

export default fp(dashboardPlugin, { name: 'genswarms-dashboard', dependencies: ['genswarms-core'] })
