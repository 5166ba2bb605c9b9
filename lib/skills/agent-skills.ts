import { dirname, join, resolve } from 'node:path'
import type { AgentSpec } from '../config/types.js'
import { DEFAULT_MAX_FILE_BYTES } from '../config/load.js'
import { readSkill, skillKey } from './index.js'
import { renderSkill, type SkillContext } from './render.js'

/** One skill as an agent is given it: its placeholders filled in. */
export interface SkillText {
  name: string
  content: string
}

/** One of an agent's skills as REST shows it: where its text comes from, and the text the agent is given (null when there is none). */
export interface AgentSkill {
  name: string
  source: 'override' | 'library' | 'missing'
  content: string | null
}

/**
 * The library texts a swarm's agents use, read from the skills directories
 * when the swarm starts and whenever an agent's skills change, so a turn
 * never waits on the disk. The first directory that has a skill wins (the
 * folder next to the config file comes before the server's, so an example
 * carries its own skills). A file that cannot be read (missing, too large, a
 * path out of its directory) reads as null.
 */
export class SkillLibrary {
  readonly dirs: string[]
  readonly #maxBytes: number
  readonly #texts = new Map<string, string | null>()

  constructor(dirs: string | string[], maxBytes = DEFAULT_MAX_FILE_BYTES) {
    this.dirs = [...new Set(typeof dirs === 'string' ? [dirs] : dirs)]
    this.#maxBytes = maxBytes
  }

  /** (Re)reads every skill the agents name. */
  async load(agents: AgentSpec[]): Promise<void> {
    const keys = [...new Set(agents.flatMap((a) => a.skills.map(skillKey)))]
    const texts = await Promise.all(keys.map((key) => this.#read(key)))
    keys.forEach((key, i) => this.#texts.set(key, texts[i]!))
  }

  async #read(key: string): Promise<string | null> {
    for (const dir of this.dirs) {
      const text = await readSkill(dir, key, this.#maxBytes).then((s) => s.content, () => null)
      if (text !== null) return text
    }
    return null
  }

  text(key: string): string | null {
    return this.#texts.get(key) ?? null
  }
}

/** Where a swarm's skills are looked up: next to its config file first, then the server's skills directory. */
export function skillDirsFor(configPath: string | null, skillsDir: string): string[] {
  return configPath ? [join(dirname(resolve(configPath)), 'skills'), skillsDir] : [skillsDir]
}

/** An agent's skills in its order: a runtime override wins over the library file. */
export function agentSkills(spec: AgentSpec, library: (key: string) => string | null, ctx: SkillContext): AgentSkill[] {
  return spec.skills.map((name) => {
    const key = skillKey(name)
    const overrides = spec.skill_overrides ?? {}
    // Own keys only: a skill named like an Object.prototype member is no override.
    const override = Object.hasOwn(overrides, key) ? overrides[key] : undefined
    if (typeof override === 'string') return { name: key, source: 'override', content: renderSkill(override, ctx) }
    const text = library(key)
    return text === null ? { name: key, source: 'missing', content: null } : { name: key, source: 'library', content: renderSkill(text, ctx) }
  })
}

/** What a turn is given: the skills that have a text. */
export function givenSkills(skills: AgentSkill[]): SkillText[] {
  return skills.flatMap((s) => (s.content === null ? [] : [{ name: s.name, content: s.content }]))
}

/**
 * The agent's current skills as one text, e.g. for an LLM backend's system
 * prompt: each skill under a heading with its name, in the agent's order.
 * Every input an agent takes carries its skills (`AgentInput.skills`), so a
 * backend calls this on the input it is given and sees a PUT on the next turn.
 */
export function skillsText(skills: readonly SkillText[] | undefined): string {
  return (skills ?? []).map((s) => `## Skill: ${s.name}\n\n${s.content.trim()}\n`).join('\n')
}
