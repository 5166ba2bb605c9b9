import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { errors } from '../errors.js'
import type { CliContext } from './context.js'

/** The file `genswarms init` writes: which config `up` runs in this directory. */
export const PROJECT_FILE = 'genswarms.json'

export interface ProjectFile {
  /** run when OPENAI_BASE_URL is set, or when there is no `mock_swarm` */
  swarm: string
  /** run while no endpoint is configured */
  mock_swarm?: string
}

/**
 * The config `up` starts when given no `--swarm`: the project's `swarm`, or
 * its `mock_swarm` while OPENAI_BASE_URL is unset, with the reason to show.
 * Null outside a project directory.
 */
export function projectSwarm(ctx: CliContext): { path: string; why: string } | null {
  const file = join(ctx.cwd, PROJECT_FILE)
  if (!existsSync(file)) return null
  let project: ProjectFile
  try {
    project = JSON.parse(readFileSync(file, 'utf8')) as ProjectFile
  } catch (err) {
    throw errors.configFile(`${file}: ${(err as Error).message}`)
  }
  if (typeof project.swarm !== 'string') throw errors.configFile(`${file}: "swarm" must name a config file`)
  if (project.mock_swarm && !ctx.env.OPENAI_BASE_URL) {
    return { path: resolve(ctx.cwd, project.mock_swarm), why: `${project.mock_swarm} (scripted: OPENAI_BASE_URL is not set)` }
  }
  const why = project.mock_swarm ? `${project.swarm} (on ${ctx.env.OPENAI_BASE_URL})` : project.swarm
  return { path: resolve(ctx.cwd, project.swarm), why }
}

/**
 * Reads `.env` in the working directory into the environment, for the
 * variables not already set (the environment wins). The values reach the
 * server and daemons this command starts. Lines are `KEY=value`, optionally
 * quoted; `#` starts a comment line. Returns the file read, if any.
 */
export function loadDotEnv(ctx: CliContext): string | null {
  const file = join(ctx.cwd, '.env')
  if (!existsSync(file)) return null
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
    if (!match) continue
    const [, key, rawValue] = match as unknown as [string, string, string]
    const quoted = /^(['"])(.*)\1$/.exec(rawValue)
    const value = quoted ? quoted[2]! : rawValue.replace(/\s+#.*$/, '')
    if (ctx.env[key] === undefined) ctx.env[key] = value
  }
  return file
}
