import cors from '@fastify/cors'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

/**
 * CORS restricted to the configured origins (`GENSWARMS_CORS_ORIGINS`, default
 * local dev origins). Registered before auth so preflights are answered
 * without credentials, as browsers send them.
 */
async function corsPlugin(app: FastifyInstance): Promise<void> {
  await app.register(cors, {
    origin: app.genswarms.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  })
}

export default fp(corsPlugin, { name: 'genswarms-cors', dependencies: ['genswarms-core'] })
