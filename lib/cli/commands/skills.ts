import type { Command } from 'commander'
import { errors } from '../../errors.js'
import { listSkills } from '../../skills/index.js'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'
import { table } from '../output.js'

export function registerSkills(program: Command, env: CliEnvironment): void {
  program
    .command('skills')
    .description("list the skills library (./skills, by category), or one agent's skills with the text its next turn is given")
    .argument('[swarm]', 'swarm name')
    .argument('[agent]', 'agent name')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', [
      '',
      'Without arguments: every .md file under ./skills; a folder is a category.',
      'With <swarm> <agent>: that agent\'s skills, where each text comes from (override, library, missing)',
      'and the text with {{agent}}, {{swarm}} and {{targets}} filled in.',
      '',
      'Examples:',
      '  genswarms skills',
      '  genswarms skills research-swarm researcher --json',
    ].join('\n'))
    .action(withContext(env, skills))
}

async function skills(ctx: CliContext, swarm: string | undefined, agent: string | undefined, opts: { json?: boolean }): Promise<void> {
  const c = ctx.out.out
  if (swarm === undefined) {
    const library = await listSkills(ctx.skillsDir)
    if (opts.json) return ctx.out.json({ dir: ctx.skillsDir, skills: library })
    if (library.length === 0) return ctx.out.line(`no skills in ${ctx.skillsDir}`)
    const rows = [[c.dim('CATEGORY'), c.dim('SKILL'), c.dim('SIZE')]]
    for (const s of library) rows.push([s.category ?? '-', c.bold(s.name), `${s.size} B`])
    for (const line of table(rows)) ctx.out.line(line)
    return
  }
  if (agent === undefined) throw errors.invalidInput('name the agent after the swarm, or neither')
  const host = await ctx.locate(swarm, { needRunning: true })
  const list = await host.agentSkills(agent)
  if (opts.json) return ctx.out.json({ swarm, agent, skills: list })
  if (list.length === 0) return ctx.out.line(`${c.bold(`${swarm}/${agent}`)} has no skills`)
  for (const s of list) {
    ctx.out.line(`${c.bold(s.name)} ${c.dim(`(${s.source})`)}`)
    if (s.content !== null) for (const line of s.content.trimEnd().split('\n')) ctx.out.line(`  ${line}`)
  }
}
