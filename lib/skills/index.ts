import { readdir, realpath, stat } from 'node:fs/promises'
import { isAbsolute, join, relative } from 'node:path'
import { DEFAULT_MAX_FILE_BYTES, readBoundedFile } from '../config/load.js'
import { errors } from '../errors.js'

/** Skill files: markdown documents in one flat directory, addressed by file name. */

export const SKILL_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

export interface SkillInfo {
  name: string
  size: number
  modified_at: string
}

export async function listSkills(dir: string): Promise<SkillInfo[]> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const names = entries.filter((e) => e.isFile() && e.name.endsWith('.md') && SKILL_NAME_RE.test(e.name)).map((e) => e.name)
  const infos = await Promise.all(
    names.map(async (name) => {
      const s = await stat(join(dir, name))
      return { name, size: s.size, modified_at: s.mtime.toISOString() }
    }),
  )
  return infos.sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * `name` with or without `.md`; never a path, and never a symlink out of `dir`.
 * Only a regular file of at most `maxBytes` is read (`errors.configFile` otherwise).
 */
export async function readSkill(dir: string, name: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<{ name: string; content: string }> {
  if (!SKILL_NAME_RE.test(name)) throw errors.invalidInput(`skill name "${name}" must be a plain file name such as web.md`)
  const file = name.endsWith('.md') ? name : `${name}.md`
  let real: string
  try {
    real = await realpath(join(dir, file))
    const base = await realpath(dir)
    const rel = relative(base, real)
    // A directory is not a skill; FIFOs, sockets and devices are refused by the read below, by name.
    if (rel.startsWith('..') || isAbsolute(rel) || (await stat(real)).isDirectory()) throw errors.skillNotFound(file)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw errors.skillNotFound(file)
    throw err
  }
  return { name: file, content: await readBoundedFile(real, maxBytes, 'skill') }
}
