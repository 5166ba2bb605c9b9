import type { ObjectSpec } from './types.js'

export const MAX_OBJECT_TIMEOUT_MS = 600_000

/**
 * The object keys that give it behaviour: `handler` (a module path; whether
 * it lies inside the working directory is checked when it is loaded, since
 * validation reads no files) and `timeout_ms`.
 */
export function readObjectHandler(raw: Record<string, unknown>, spec: ObjectSpec, path: string, errs: string[]): void {
  if (raw.handler !== undefined) {
    if (typeof raw.handler !== 'string' || raw.handler === '' || raw.handler.includes('\0')) {
      errs.push(`${path}.handler: must be a non-empty module path`)
    } else {
      spec.handler = raw.handler
    }
  }
  if (raw.timeout_ms !== undefined) {
    const ms = raw.timeout_ms
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > MAX_OBJECT_TIMEOUT_MS) {
      errs.push(`${path}.timeout_ms: must be an integer from 1 to ${MAX_OBJECT_TIMEOUT_MS}`)
    } else {
      spec.timeout_ms = ms
    }
  }
}
