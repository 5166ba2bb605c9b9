import { errors, isGenswarmsError } from '../../errors.js'
import { readSkill } from '../../skills/index.js'

/** The text of each skill, from the first directory that has it; a missing skill is a start failure. */
export async function loadSkills(names: string[], dirs: string[]): Promise<string[]> {
  const texts: string[] = []
  for (const name of names) {
    let found: string | null = null
    for (const dir of dirs) {
      try {
        found = (await readSkill(dir, name)).content
        break
      } catch (err) {
        if (!(isGenswarmsError(err) && err.code === errors.skillNotFound.code)) throw err
      }
    }
    if (found === null) throw new Error(`skill "${name}" not found in ${dirs.join(' or ')}`)
    texts.push(found)
  }
  return texts
}
