import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { errors, isGenswarmsError } from '../lib/errors.js'

// Fastify's own client errors, renamed into the API's code space.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: errors.bodyTooLarge.code,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: errors.unsupportedMediaType.code,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: errors.invalidInput.code,
  FST_ERR_CTP_EMPTY_JSON_BODY: errors.invalidJson.code,
  FST_ERR_CTP_INVALID_JSON_BODY: errors.invalidJson.code,
}

/**
 * Every failure answers `{error, code}` with the error's status; a config
 * that fails validation answers `{valid: false, errors}`. Unexpected errors
 * are logged and answer a generic 500 without internals.
 */
export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isGenswarmsError(err)) {
    if (err.code === errors.invalidConfig.code && Array.isArray(err.details)) return reply.code(400).send({ valid: false, errors: err.details })
    if (err.statusCode >= 500) request.log.error({ err }, `genswarms: ${err.message}`)
    return reply.code(err.statusCode).send({ error: err.message, code: err.code })
  }
  if (err.validation) return reply.code(400).send({ error: err.message, code: errors.invalidInput.code })
  const status = err.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const code = FASTIFY_CODES[err.code] ?? (err instanceof SyntaxError ? errors.invalidJson.code : errors.badRequest.code)
    return reply.code(status).send({ error: err.message, code })
  }
  request.log.error({ err }, 'genswarms: request failed')
  const internal = errors.internal()
  return reply.code(internal.statusCode).send({ error: internal.message, code: internal.code })
}
