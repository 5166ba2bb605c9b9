/** What a skill file's placeholders are filled with, per agent. */
export interface SkillContext {
  agent: string
  swarm: string
  /** the nodes the agent has an edge to, right now */
  targets: string[]
}

const PLACEHOLDER = /\{\{\s*(agent|swarm|targets)\s*\}\}/g

/**
 * Fills `{{agent}}`, `{{swarm}}` and `{{targets}}` (comma-separated, `none`
 * when there are none). Any other `{{…}}` is left as written, so a skill
 * can show template syntax of its own.
 */
export function renderSkill(text: string, ctx: SkillContext): string {
  return text.replace(PLACEHOLDER, (_match, key: 'agent' | 'swarm' | 'targets') =>
    key === 'targets' ? (ctx.targets.length ? ctx.targets.join(', ') : 'none') : ctx[key],
  )
}
