import type { SwarmConfig } from '../config/types.js'
import { errors } from '../errors.js'
import type { MutationResult } from '../swarm/mutations.js'
import { skillFileName, skillKey } from './index.js'

/** An override is held in memory and in the overlay: as large as a skill file may be. */
export const MAX_SKILL_OVERRIDE_CHARS = 1024 * 1024

/**
 * The `set_skill` mutation as a pure config function: the agent's text for
 * one skill from now on, winning over the library file. A skill the agent
 * did not have is added to its list, so its next turn gets it.
 */
export function setSkill(config: SwarmConfig, m: { agent: unknown; skill: unknown; content: unknown }): MutationResult {
  const errs: string[] = []
  const agent = typeof m.agent === 'string' ? config.agents.find((a) => a.name === m.agent) : undefined
  if (!agent) throw errors.invalidMutation([`agent: no agent named ${JSON.stringify(m.agent)} in swarm "${config.name}"`], 404)
  let key = ''
  try {
    if (typeof m.skill !== 'string') throw errors.invalidInput('must be a string')
    key = skillKey(skillFileName(m.skill))
  } catch (err) {
    errs.push(`skill: ${(err as Error).message}`)
  }
  if (typeof m.content !== 'string') errs.push('content: must be a string')
  else if (m.content.length > MAX_SKILL_OVERRIDE_CHARS) errs.push(`content: at most ${MAX_SKILL_OVERRIDE_CHARS} characters`)
  if (errs.length) throw errors.invalidMutation(errs)
  const content = m.content as string
  const skills = agent.skills.some((s) => skillKey(s) === key) ? agent.skills : [...agent.skills, key]
  const updated = { ...agent, skills, skill_overrides: { ...agent.skill_overrides, [key]: content } }
  return {
    config: { ...config, agents: config.agents.map((a) => (a === agent ? updated : a)) },
    recorded: { op: 'set_skill', agent: agent.name, skill: key, content },
  }
}
