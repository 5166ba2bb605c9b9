import cors from '@fastify/cors'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { errors } from '../lib/errors.js'

/**
 * CORS restricted to the configured origins (`GENSWARMS_CORS_ORIGINS`, default
 * local dev origins). Registered before auth so preflights are answered
 * without credentials, as browsers send them.
 */
async function corsPlugin(app: FastifyInstance): Promise<void> {
  // @fastify/cors answers an OPTIONS request lacking the preflight headers in
  // plain text; answer it first, in the API's own error shape.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'OPTIONS') return
    if (request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined) return
    const err = errors.badRequest('an OPTIONS request is a CORS preflight and needs both Origin and Access-Control-Request-Method headers')
    return reply.code(err.statusCode).send({ error: err.message, code: err.code })
  })
  await app.register(cors, {
    origin: app.genswarms.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  })
}

export default fp(corsPlugin, { name: 'genswarms-cors', dependencies: ['genswarms-core'] })
