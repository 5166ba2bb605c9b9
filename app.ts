import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import genswarms from './index.js'
import type { GenswarmsOptions } from './lib/options.js'
import { packageVersion } from './lib/version.js'

export const DEFAULT_PORT = 4000
export const DEFAULT_HOST = '127.0.0.1'

/** The project's own server: the Genswarms plugin in a default Fastify app. */
export async function buildServer(
  opts: GenswarmsOptions & { logger?: FastifyServerOptions['logger'] } = {},
): Promise<FastifyInstance> {
  const { logger = { level: process.env.LOG_LEVEL ?? 'info' }, ...pluginOptions } = opts
  const app = Fastify({
    // The socket URL may carry `?token=`; keep it out of the logs.
    logger: typeof logger === 'object' && logger !== null ? { serializers: { req: serializeRequest }, ...logger } : logger,
    bodyLimit: pluginOptions.bodyLimit ?? 1024 * 1024,
  })
  await app.register(genswarms, { version: packageVersion(), ...pluginOptions })
  return app
}

function serializeRequest(req: { method: string; url: string; hostname?: string; ip?: string }) {
  return { method: req.method, url: redactToken(req.url), hostname: req.hostname, remoteAddress: req.ip }
}

export function redactToken(url: string): string {
  return url.replace(/([?&]token=)[^&]*/gi, '$1[redacted]')
}

export function listenOptions(env: NodeJS.ProcessEnv = process.env, port?: number): { port: number; host: string } {
  return {
    port: port ?? (env.PORT ? Number(env.PORT) : DEFAULT_PORT),
    host: env.GENSWARMS_HOST ?? DEFAULT_HOST,
  }
}
