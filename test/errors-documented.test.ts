import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import * as errorsModule from '../lib/errors.js'

// A code is an API: programs branch on it, so each one the engine can produce
// is written down for them, and only lib/errors.ts may produce one.

const root = fileURLToPath(new URL('..', import.meta.url))
const CODE_RE = /^GS_[A-Z0-9_]+$/

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(ext))
    .map((entry) => join(entry.parentPath, entry.name))
}

/** Every code lib/errors.ts exports: factories' `.code`, and code strings in exported constants. */
function exportedCodes(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return CODE_RE.test(value) ? [value] : []
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return []
  seen.add(value)
  const own = typeof value === 'function' ? [(value as { code?: unknown }).code] : Object.values(value)
  return own.flatMap((v) => exportedCodes(v, seen))
}

const codes = [...new Set(exportedCodes(Object.values(errorsModule)))].sort()

t.test('every error code in lib/errors.ts is documented in docs/', async (t) => {
  t.ok(codes.length >= 30, `found the table (${codes.length} codes)`)
  t.ok(codes.includes(errorsModule.errors.invalidMutation.code), 'a factory with a list of problems counts too')
  const docs = filesUnder(join(root, 'docs'), '.md').map((f) => readFileSync(f, 'utf8')).join('\n')
  // Whole codes only: GS_TIMEOUT is not documented by GS_REQUEST_TIMEOUT.
  const undocumented = codes.filter((code) => !new RegExp(`(?<![A-Z0-9_])${code}(?![A-Z0-9_])`).test(docs))
  t.same(undocumented, [], 'codes missing from docs/*.md')
})

t.test('no code is spelled outside lib/errors.ts', async (t) => {
  const sources = ['lib', 'plugins', 'routes', 'bin'].flatMap((dir) => filesUnder(join(root, dir), '.ts'))
  const errorsFile = join(root, 'lib', 'errors.ts')
  const hits = sources
    .filter((file) => file !== errorsFile)
    .flatMap((file) => readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (line.includes('GS_') ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`] : [])))
  t.same(hits, [], 'use errors.<name>.code or an errors.* factory instead')
})
