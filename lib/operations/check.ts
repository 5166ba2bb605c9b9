import AjvModule, { type ErrorObject } from 'ajv'

// ajv's CommonJS build exposes the class as `.default` to ESM importers.
const Ajv = AjvModule.default

// Own properties only: a payload key named like an Object.prototype member must not satisfy a schema.
const common = { allErrors: true, strict: false, coerceTypes: false, useDefaults: false, ownProperties: true } as const
const refusing = new Ajv({ ...common, removeAdditional: false })
// The socket has always ignored fields it does not know; dropping them keeps that.
const dropping = new Ajv({ ...common, removeAdditional: true })

/** The first failing field (in the schema's property order), or null for the value as a whole. */
export interface Refusal {
  field: string | null
  keyword: string
  message: string
}

export type Checked<T> = { ok: true; value: T } | { ok: false; refusal: Refusal }

export type Check<T> = (value: unknown) => Checked<T>

/**
 * Compiles `schema` once. The type parameter is the shape the schema
 * guarantees (declared beside it in types.ts); a value that passes is that
 * type through ajv's type guard.
 */
export function compile<T>(schema: object, opts: { dropUnknown?: boolean } = {}): Check<T> {
  const validate = (opts.dropUnknown ? dropping : refusing).compile<T>(schema)
  const order = propertyOrder(schema)
  return (value) => {
    if (validate(value)) return { ok: true, value }
    return { ok: false, refusal: firstRefusal(validate.errors ?? [], order) }
  }
}

function propertyOrder(schema: object): string[] {
  const properties = (schema as { properties?: Record<string, unknown> }).properties
  return properties ? Object.keys(properties) : []
}

function fieldOf(e: ErrorObject): string | null {
  if (e.keyword === 'required') return String((e.params as { missingProperty?: unknown }).missingProperty)
  const top = e.instancePath.split('/')[1]
  return top === undefined || top === '' ? null : top
}

/** Errors come in the order ajv checks keywords; callers want the first field of the schema that is wrong, as a person reads it. */
function firstRefusal(errs: ErrorObject[], order: string[]): Refusal {
  const refusals = errs.map((e) => ({ field: fieldOf(e), keyword: e.keyword, message: e.message ?? 'is invalid' }))
  const rank = (r: Refusal) => (r.field === null ? -1 : order.indexOf(r.field) === -1 ? order.length : order.indexOf(r.field))
  return refusals.sort((a, b) => rank(a) - rank(b))[0] ?? { field: null, keyword: 'type', message: 'is invalid' }
}
