import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve } from 'node:path'
import YAML from 'yaml'
import { errors, invalidConfig } from '../errors.js'
import { jsonErrorOffset } from './json-syntax.js'
import type { SwarmConfig } from './types.js'
import { validateConfig } from './validate.js'

/** Reading swarm configs from files and text (SPEC §4, §10). */

export type ConfigFormat = 'json' | 'yaml'

export const SUPPORTED_EXTENSIONS = ['.json', '.yaml', '.yml'] as const

/** The format a file's extension implies; anything else is refused with the supported list. */
export function formatForPath(path: string): ConfigFormat {
  const ext = extname(path).toLowerCase()
  if (ext === '.json') return 'json'
  if (ext === '.yaml' || ext === '.yml') return 'yaml'
  if (ext === '.exs') {
    throw errors.configFile(`${path}: Elixir (.exs) configs are not supported; write the config as .json, .yaml or .yml`)
  }
  const got = ext === '' ? 'no extension' : `"${ext}"`
  throw errors.configFile(`${path}: unsupported config file type (${got}); use ${SUPPORTED_EXTENSIONS.join(', ')}`)
}

/** Accepts a user-given format name (`json`, `yaml`, `yml`, any case). */
export function parseFormat(value: unknown): ConfigFormat {
  const name = typeof value === 'string' ? value.toLowerCase() : value
  if (name === 'json') return 'json'
  if (name === 'yaml' || name === 'yml') return 'yaml'
  throw errors.configFile(`unsupported config format ${JSON.stringify(value)}; use "json" or "yaml"`)
}

/**
 * Parses config text into plain data without validating it. Syntax errors
 * throw a config-file error naming `source` and, where the parser reports
 * one, the line and column.
 */
export function parseConfigData(text: string, format: ConfigFormat, source = '<config>'): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text
  const data = parseFormat(format) === 'json' ? parseJson(body, source) : parseYaml(body, source)
  if (data === null || data === undefined) throw errors.configFile(`${source}: config is empty`)
  return data
}

/** Parses and validates config text (the REST `{content, format}` case). */
export function parseConfigText(text: string, format: ConfigFormat, source = '<config>'): SwarmConfig {
  return validated(parseConfigData(text, format, source))
}

export async function loadConfigFile(path: string): Promise<SwarmConfig> {
  const format = formatForPath(path)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw readError(path, err)
  }
  return parseConfigText(text, format, path)
}

export function loadConfigFileSync(path: string): SwarmConfig {
  const format = formatForPath(path)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw readError(path, err)
  }
  return parseConfigText(text, format, path)
}

/**
 * Resolves a user-supplied config path against `cwd` and refuses any that
 * lands outside it: `..` escapes, absolute paths elsewhere, and (when the file
 * exists) symlinks whose target is outside. Returns the absolute path, the
 * real one when the file exists.
 */
export function resolveConfigPath(path: string, cwd: string = process.cwd()): string {
  if (typeof path !== 'string' || path === '') throw errors.configFile('config path must be a non-empty string')
  if (path.includes('\0')) throw errors.configFile('config path must not contain NUL characters')
  const base = resolve(cwd)
  const realBase = existsSync(base) ? realpathSync(base) : base
  const lexical = resolve(base, path)
  // `cwd` itself may be reached through a symlink, so either spelling of it counts.
  if (!isInside(lexical, base) && !isInside(lexical, realBase)) throw outside(path)
  if (!existsSync(lexical)) return lexical
  const real = realpathSync(lexical)
  if (!isInside(real, realBase)) throw outside(path)
  return real
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

function outside(path: string) {
  return errors.configFile(`config path "${path}" resolves outside the working directory; only files inside it may be loaded`)
}

function validated(data: unknown): SwarmConfig {
  const result = validateConfig(data)
  if (!result.ok) throw invalidConfig(result.errors)
  return result.config
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    const message = (err as Error).message
    const given = /at position (\d+)/.exec(message)
    const offset = given ? Number(given[1]) : jsonErrorOffset(text)
    const what = message.replace(/ in JSON at position \d+( \(line \d+ column \d+\))?/, '')
    if (offset === undefined) throw errors.configFile(`${source}: invalid JSON: ${what}`)
    const { line, col } = lineAndColumn(text, offset)
    throw errors.configFile(`${source}:${line}:${col}: invalid JSON: ${what}`)
  }
}

function parseYaml(text: string, source: string): unknown {
  const doc = YAML.parseDocument(text)
  if (doc.errors.length > 0) {
    const described = doc.errors.map((err) => {
      // The parser appends " at line L, column C:" and a source excerpt; keep the first clause only.
      const what = err.message.split(/ at line \d+, column \d+:|\n/)[0]
      const pos = err.linePos?.[0]
      return pos ? `${source}:${pos.line}:${pos.col}: invalid YAML: ${what}` : `${source}: invalid YAML: ${what}`
    })
    throw errors.configFile(described.join('; '))
  }
  try {
    return doc.toJS()
  } catch (err) {
    // e.g. an alias expanding beyond the parser's limit (a "billion laughs" document).
    throw errors.configFile(`${source}: invalid YAML: ${(err as Error).message}`)
  }
}

function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const col = offset - before.lastIndexOf('\n')
  return { line, col }
}

function readError(path: string, err: unknown) {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return errors.configFile(`config file not found: ${path}`)
  if (code === 'EISDIR') return errors.configFile(`config path is a directory, not a file: ${path}`)
  return errors.configFile(`cannot read config file ${path}: ${(err as Error).message}`)
}
