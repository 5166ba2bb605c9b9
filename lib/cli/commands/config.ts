import type { Command } from 'commander'
import { resolve } from 'node:path'
import { loadConfigFile, summarizeConfig, type ConfigSummary } from '../../config/index.js'
import { ExitCode, withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'

type Verdict = { file: string; valid: true; config: ConfigSummary } | { file: string; valid: false; errors: string[] }

export function registerConfig(program: Command, env: CliEnvironment): void {
  const config = program.command('config').description('work with swarm config files')
  config
    .command('validate')
    .description('check config files and print every error in each; exits 1 if any is invalid')
    .argument('<files...>', 'config files (.json, .yaml or .yml)')
    .option('--json', 'one JSON verdict per file')
    .action(withContext(env, validate))
}

async function validate(ctx: CliContext, files: string[], opts: { json?: boolean }): Promise<void> {
  const c = ctx.out.out
  let invalid = 0
  for (const file of files) {
    const verdict = await check(resolve(ctx.cwd, file), file)
    if (!verdict.valid) invalid++
    if (opts.json) {
      ctx.out.json(verdict)
    } else if (verdict.valid) {
      const s = verdict.config
      ctx.out.line(`${c.green('✓')} ${file}: ${c.bold(s.name)}, ${count(s.agents.length, 'agent')}, ${count(s.objects.length, 'object')}, ${count(s.edges, 'edge')}`)
    } else {
      ctx.out.line(`${c.red('✗')} ${file}: ${count(verdict.errors.length, 'error')}`)
      for (const error of verdict.errors) ctx.out.line(`    ${error}`)
    }
  }
  if (invalid > 0) throw new ExitCode(1)
}

async function check(path: string, file: string): Promise<Verdict> {
  try {
    return { file, valid: true, config: summarizeConfig(await loadConfigFile(path)) }
  } catch (err) {
    const details = (err as { details?: unknown }).details
    return { file, valid: false, errors: Array.isArray(details) ? details.map(String) : [(err as Error).message] }
  }
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`
