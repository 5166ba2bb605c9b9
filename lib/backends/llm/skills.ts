import { errors, isGenswarmsError } from '../../errors.js'
import type { SkillText } from '../../skills/agent-skills.js'
import { readSkill, skillKey } from '../../skills/index.js'

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

/**
 * The skill texts of one turn. The swarm gives each input the agent's skills
 * as they are now (a runtime PUT, placeholders filled), which win over the
 * texts read at start; a skill only found at start (next to the config file)
 * keeps that text. Start order first, then skills added since.
 */
export function turnSkills(names: string[], loaded: string[], given: readonly SkillText[] | undefined): string[] {
  const texts = new Map(names.map((name, i) => [skillKey(name), loaded[i] ?? '']))
  for (const skill of given ?? []) texts.set(skillKey(skill.name), skill.content)
  return [...texts.values()]
}
