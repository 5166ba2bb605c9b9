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
 * The library texts a swarm's agents use, read from the skills directory when
 * the swarm starts and whenever an agent's skills change, so a turn never
 * waits on the disk. A file that cannot be read (missing, too large, a path
 * out of the directory) reads as null.
 */
export class SkillLibrary {
  readonly dir: string
  readonly #maxBytes: number
  readonly #texts = new Map<string, string | null>()

  constructor(dir: string, maxBytes = DEFAULT_MAX_FILE_BYTES) {
    this.dir = dir
    this.#maxBytes = maxBytes
  }

  /** (Re)reads every skill the agents name. */
  async load(agents: AgentSpec[]): Promise<void> {
    const keys = [...new Set(agents.flatMap((a) => a.skills.map(skillKey)))]
    const texts = await Promise.all(keys.map((key) => readSkill(this.dir, key, this.#maxBytes).then((s) => s.content, () => null)))
    keys.forEach((key, i) => this.#texts.set(key, texts[i]!))
  }

  text(key: string): string | null {
    return this.#texts.get(key) ?? null
  }
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
