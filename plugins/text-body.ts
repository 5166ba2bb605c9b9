import type { FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** this state-changing route may take a text body; see textBodyAllowed */
    textBody?: boolean
  }
}

/** Route config of a state-changing route that may take a text body (a skill's markdown). */
export const TEXT_BODY = { textBody: true } as const

/**
 * Whether a text body may pass the JSON-only rule (plugins/auth.ts) on this
 * route. A cross-site page can send `text/plain` without a preflight, so it
 * is taken only from a request a browser would have preflighted anyway: one
 * that carries an Authorization header. `text/markdown` is not one of the
 * types a page may send unasked, so a browser always preflights it.
 */
export function textBodyAllowed(request: FastifyRequest, contentType: string): boolean {
  if (request.routeOptions.config?.textBody !== true) return false
  const type = contentType.split(';')[0]!.trim().toLowerCase()
  if (type === 'text/markdown') return true
  return type === 'text/plain' && request.headers.authorization !== undefined
}
