import { existsSync } from 'node:fs'
import { errors, invalidConfig } from '../errors.js'
import { DEFAULT_MAX_FILE_BYTES, loadConfigFile, parseConfigText, parseFormat, resolveConfigPath } from './load.js'
import type { SwarmConfig } from './types.js'
import { validateConfig } from './validate.js'

/** Where a config comes from in an API request: inline, a file under cwd, or text. */
export interface ConfigSource {
  config?: unknown
  config_path?: string
  content?: string
  format?: string
}

export interface ResolvedConfig {
  config: SwarmConfig
  /** absolute path when the config came from a file */
  configPath: string | null
}

/**
 * Reads and validates a config from exactly one source. `config_path` must
 * resolve inside `cwd` to a regular file of at most `maxFileBytes`; text
 * needs its `format`. Validation failures throw
 * invalidConfig with the full error list.
 */
export async function configFromSource(
  source: ConfigSource,
  cwd: string,
  allowed: (keyof ConfigSource)[] = ['config', 'config_path', 'content'],
  { maxFileBytes = DEFAULT_MAX_FILE_BYTES }: { maxFileBytes?: number } = {},
): Promise<ResolvedConfig> {
  const given = allowed.filter((key) => source[key] !== undefined)
  if (given.length !== 1) {
    const names = allowed.map((k) => `"${k}"`).join(', ')
    throw errors.invalidInput(given.length === 0 ? `give one of ${names}` : `give only one of ${names}, not ${given.map((k) => `"${k}"`).join(' and ')}`)
  }
  if (source.config_path !== undefined) {
    const path = resolveConfigPath(source.config_path, cwd)
    return { config: await loadConfigFile(path, maxFileBytes), configPath: path }
  }
  if (source.content !== undefined) {
    if (source.format === undefined) throw errors.invalidInput('"format" ("json" or "yaml") is required with "content"')
    return { config: parseConfigText(source.content, parseFormat(source.format)), configPath: null }
  }
  return { config: validated(source.config), configPath: null }
}

export function validated(data: unknown): SwarmConfig {
  const result = validateConfig(data)
  if (!result.ok) throw invalidConfig(result.errors)
  return result.config
}

/**
 * What a swarm restarts from: its config file as it is now, so edits take
 * effect, else the config it last started with; null when it has neither.
 */
export async function restartConfig(record: { name: string; config: unknown; config_path: string | null }): Promise<ResolvedConfig | null> {
  if (record.config_path && existsSync(record.config_path)) {
    const config = await loadConfigFile(record.config_path)
    if (config.name !== record.name) {
      throw errors.invalidInput(`${record.config_path} now describes swarm "${config.name}", not "${record.name}"`)
    }
    return { config, configPath: record.config_path }
  }
  return record.config ? { config: validated(record.config), configPath: null } : null
}
