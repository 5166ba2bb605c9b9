import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

/**
 * An OpenAPI 3 document generated from the route schemas registered after
 * this plugin in the same context, served at /documentation/json, and Swagger
 * UI over it at /documentation.
 */
async function openapiPlugin(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Genswarms',
        description: 'REST API of the Genswarms orchestrator. The Phoenix-protocol WebSocket lives at /swarm/websocket.',
        version: app.genswarms.version,
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'GENSWARMS_API_TOKEN, when one is configured' } },
      },
      security: [{ bearer: [] }],
    },
  })
  // Swagger UI at /documentation over the same document (/documentation/json, /documentation/yaml),
  // its assets shipped inside the package. It sits behind the same host, origin and token rules as the API.
  await app.register(swaggerUi, {
    routePrefix: '/documentation',
    // Swagger UI would otherwise send the document to an outside validator service.
    uiConfig: { deepLinking: false, validatorUrl: null },
    staticCSP: true,
  })
}

export default fp(openapiPlugin, { name: 'genswarms-openapi', dependencies: ['genswarms-core'] })
