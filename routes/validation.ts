import AjvModule from 'ajv'
import type { FastifySchema, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify'

// ajv's CommonJS build exposes the class as `.default` to ESM importers.
const Ajv = AjvModule.default

/**
 * Our own validators, so the rules hold whatever the host app configured:
 * request bodies are not coerced (`{"task": 42}` is refused, not turned into
 * "42") and unknown fields are refused rather than silently dropped; query
 * strings and path params are coerced, since they arrive as text.
 */
export function genswarmsValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const common = { useDefaults: true, removeAdditional: false, allErrors: true, strict: false } as const
  const body = new Ajv({ ...common, coerceTypes: false })
  const text = new Ajv({ ...common, coerceTypes: 'array' })
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema as object)
}

/** One readable line naming every bad field: `body/task must be string; body/extra is not allowed`. */
export function formatSchemaErrors(errs: FastifySchemaValidationError[], dataVar: string): Error {
  const lines = errs.map((e) => describe(e, dataVar))
  return new Error([...new Set(lines)].join('; '))
}

function describe(e: FastifySchemaValidationError, dataVar: string): string {
  const at = `${dataVar}${e.instancePath}`
  const params = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'required':
      return `${at}/${String(params.missingProperty)} is required`
    case 'additionalProperties':
      return `${at}/${String(params.additionalProperty)} is not allowed`
    case 'enum':
      return `${at} must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`
    default:
      return `${at} ${e.message ?? 'is invalid'}`
  }
}
