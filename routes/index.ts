import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { GenswarmsOptions } from '../lib/options.js'

// Placeholder: replaced by its owner's implementation.
export default fp(async (_app: FastifyInstance, _opts: GenswarmsOptions) => {}, { name: 'genswarms-routes' })
