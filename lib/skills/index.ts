import { readdir, realpath, stat } from 'node:fs/promises'
import { isAbsolute, join, relative } from 'node:path'
import { DEFAULT_MAX_FILE_BYTES, readBoundedFile } from '../config/load.js'
import { errors } from '../errors.js'

/**
 * Skill files: markdown documents under one directory. A sub-folder is a
 * category, so a skill is addressed by its path below the directory
 * (`web.md`, `research/web.md`), with or without `.md`.
 */

export const SKILL_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/
/** How deep categories nest, and how many files a listing shows: a listing stays bounded whatever the directory holds. */
const MAX_DEPTH = 8
const MAX_LISTED = 1000

export interface SkillInfo {
  /** the path below the skills directory, e.g. `research/web.md` */
  name: string
  /** the folders above it (`research`, `research/deep`), null at the top */
  category: string | null
  size: number
  modified_at: string
}

/** Every `.md` file under `dir`, recursively; symlinked folders are not followed, so a listing cannot leave it. */
export async function listSkills(dir: string): Promise<SkillInfo[]> {
  const found: string[] = []
  await collect(dir, [], found)
  const infos = await Promise.all(
    found.map(async (name) => {
      const s = await stat(join(dir, name))
      const slash = name.lastIndexOf('/')
      return { name, category: slash === -1 ? null : name.slice(0, slash), size: s.size, modified_at: s.mtime.toISOString() }
    }),
  )
  return infos.sort((a, b) => a.name.localeCompare(b.name))
}

async function collect(dir: string, folders: string[], found: string[]): Promise<void> {
  let entries
  try {
    entries = await readdir(join(dir, ...folders), { withFileTypes: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (found.length >= MAX_LISTED || !SKILL_NAME_RE.test(e.name)) continue
    if (e.isFile() && e.name.endsWith('.md')) found.push([...folders, e.name].join('/'))
    else if (e.isDirectory() && folders.length < MAX_DEPTH) await collect(dir, [...folders, e.name], found)
  }
}

/** A skill's path as given (`research/web` or `research/web.md`), checked segment by segment: never `..`, never absolute. */
export function skillFileName(name: string): string {
  const segments = name.split('/')
  if (name.length > 500 || segments.length > MAX_DEPTH + 1 || !segments.every((s) => SKILL_NAME_RE.test(s))) {
    throw errors.invalidInput(`skill name "${name}" must be a file name such as web.md, optionally under folders (research/web.md)`)
  }
  return name.endsWith('.md') ? name : `${name}.md`
}

/** The name an agent's skill is known by, whichever way it was written: `research/web`. */
export function skillKey(name: string): string {
  return name.endsWith('.md') ? name.slice(0, -3) : name
}

/**
 * Never a symlink out of `dir`. Only a regular file of at most `maxBytes`
 * is read (`errors.configFile` otherwise).
 */
export async function readSkill(dir: string, name: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<{ name: string; content: string }> {
  const file = skillFileName(name)
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
