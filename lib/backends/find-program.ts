import { constants } from 'node:fs'
import { access } from 'node:fs/promises'
import { delimiter, isAbsolute, join, resolve } from 'node:path'

/**
 * Whether `program` would run, looked up the way spawn does (PATH for a bare
 * name, `cwd` for a relative path). A text-protocol agent starts no process,
 * so this is how a misspelt command fails at start rather than at every input.
 */
export async function findProgram(program: string, cwd: string | undefined, pathVar: string): Promise<boolean> {
  if (program.includes('/')) return executable(isAbsolute(program) ? program : resolve(cwd ?? process.cwd(), program))
  for (const dir of pathVar.split(delimiter)) {
    if (dir !== '' && (await executable(join(resolve(cwd ?? process.cwd(), dir), program)))) return true
  }
  return false
}

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}
