import { pathToFileURL } from 'node:url'
import { readBoundedFile, resolveConfigPath } from '../config/load.js'
import type { ObjectSpec } from '../config/types.js'
import { errors, isGenswarmsError } from '../errors.js'
import type { ObjectModule } from './types.js'

const HOOKS = ['init', 'handleMessage', 'handleTimer', 'configure', 'terminate'] as const
const MAX_MODULE_BYTES = 1024 * 1024

/**
 * Loads an object's handler module. The path resolves against the working
 * directory under the same guard as `config_path` (no `..`, absolute path or
 * symlink leading outside), and must be a regular file: a handler is code
 * this process runs, so only code the operator placed here may be named.
 */
export async function loadHandler(spec: ObjectSpec, cwd: string): Promise<ObjectModule> {
  const path = guardedPath(spec, cwd)
  // The same reader as config files: a FIFO or device in its place is refused, never waited on.
  try {
    await readBoundedFile(path, MAX_MODULE_BYTES, 'handler')
  } catch (err) {
    throw errors.invalidHandler(spec.name, err instanceof Error ? err.message : String(err))
  }
  let loaded: { default?: unknown }
  try {
    loaded = (await import(pathToFileURL(path).href)) as { default?: unknown }
  } catch (err) {
    throw errors.invalidHandler(spec.name, `module ${JSON.stringify(spec.handler)} failed to load: ${err instanceof Error ? err.message : String(err)}`)
  }
  return checkModule(spec.name, loaded.default)
}

/** Loads every handler of `objects`, refusing the lot on the first bad one. */
export async function loadHandlers(objects: ObjectSpec[], cwd: string): Promise<Map<string, ObjectModule>> {
  const modules = new Map<string, ObjectModule>()
  for (const spec of objects) if (spec.handler !== undefined) modules.set(spec.name, await loadHandler(spec, cwd))
  return modules
}

function guardedPath(spec: ObjectSpec, cwd: string): string {
  try {
    return resolveConfigPath(spec.handler ?? '', cwd)
  } catch (err) {
    if (isGenswarmsError(err)) throw errors.invalidHandler(spec.name, `${JSON.stringify(spec.handler)} resolves outside the working directory; only modules inside it may be loaded`)
    throw err
  }
}

function checkModule(object: string, value: unknown): ObjectModule {
  if (typeof value !== 'object' || value === null) throw errors.invalidHandler(object, 'the module has no default export object')
  const bad = HOOKS.filter((hook) => (value as Record<string, unknown>)[hook] !== undefined && typeof (value as Record<string, unknown>)[hook] !== 'function')
  if (bad.length > 0) throw errors.invalidHandler(object, `${bad.join(', ')} must be functions`)
  return value as ObjectModule
}
