import { closeSync, constants, existsSync, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve } from 'node:path'
import YAML from 'yaml'
import { errors, invalidConfig, isGenswarmsError } from '../errors.js'
import { jsonErrorOffset } from './json-syntax.js'
import type { SwarmConfig } from './types.js'
import { validateConfig } from './validate.js'

/** Reading swarm configs from files and text. */

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

/** Largest config or skill file read, as large as the default request body: a file is one more way to send a body. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024

export async function loadConfigFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<SwarmConfig> {
  const format = formatForPath(path)
  const text = await readBoundedFile(path, maxBytes, 'config')
  return parseConfigText(text, format, path)
}

export function loadConfigFileSync(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): SwarmConfig {
  const format = formatForPath(path)
  const text = readBoundedFileSync(path, maxBytes, 'config')
  return parseConfigText(text, format, path)
}

/*
 * Reading a file named by a client. A FIFO opened for reading blocks until a
 * writer appears, holding one of libuv's few file-system threads, and a device
 * can stream for ever; either would stall every other request. So the path is
 * stat'ed first, opened with O_NONBLOCK (which never waits on a FIFO), and the
 * descriptor itself stat'ed again, since the path may have been swapped in
 * between; only a regular file within the size limit is read.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK

/** Reads a regular file of at most `maxBytes` as UTF-8; anything else is an `errors.configFile` error. */
export async function readBoundedFile(path: string, maxBytes: number, what: string): Promise<string> {
  try {
    checkRegular(path, await stat(path), maxBytes, what)
    const handle = await open(path, OPEN_FLAGS)
    try {
      const info = await handle.stat()
      checkRegular(path, info, maxBytes, what)
      // Read one byte past the limit: a file that grew after the fstat is still caught.
      const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1)
      let filled = 0
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      if (filled > maxBytes) throw tooLarge(path, maxBytes, what)
      return buffer.subarray(0, filled).toString('utf8')
    } finally {
      await handle.close()
    }
  } catch (err) {
    throw readError(path, err, what)
  }
}

export function readBoundedFileSync(path: string, maxBytes: number, what: string): string {
  try {
    checkRegular(path, statSync(path), maxBytes, what)
    const fd = openSync(path, OPEN_FLAGS)
    try {
      const info = fstatSync(fd)
      checkRegular(path, info, maxBytes, what)
      const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1)
      let filled = 0
      while (filled < buffer.length) {
        const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      if (filled > maxBytes) throw tooLarge(path, maxBytes, what)
      return buffer.subarray(0, filled).toString('utf8')
    } finally {
      closeSync(fd)
    }
  } catch (err) {
    throw readError(path, err, what)
  }
}

function checkRegular(path: string, info: Stats, maxBytes: number, what: string): void {
  if (!info.isFile()) throw errors.configFile(`${what} path ${path} is ${fileKind(info)}, not a regular file`)
  if (info.size > maxBytes) throw tooLarge(path, maxBytes, what)
}

function tooLarge(path: string, maxBytes: number, what: string) {
  return errors.configFile(`${what} file ${path} is larger than the ${maxBytes}-byte limit`)
}

function fileKind(info: Stats): string {
  if (info.isDirectory()) return 'a directory'
  if (info.isFIFO()) return 'a FIFO (named pipe)'
  if (info.isSocket()) return 'a socket'
  if (info.isCharacterDevice()) return 'a character device'
  if (info.isBlockDevice()) return 'a block device'
  return 'not a regular file'
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

function readError(path: string, err: unknown, what: string) {
  if (isGenswarmsError(err)) return err
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return errors.configFile(`${what} file not found: ${path}`)
  if (code === 'EISDIR') return errors.configFile(`${what} path is a directory, not a file: ${path}`)
  return errors.configFile(`cannot read ${what} file ${path}: ${(err as Error).message}`)
}
