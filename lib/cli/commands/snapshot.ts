import type { Command } from 'commander'
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { stringify as toYaml } from 'yaml'
import { formatForPath } from '../../config/load.js'
import { serializeConfig } from '../../config/validate.js'
import { errors } from '../../errors.js'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'

interface SnapshotOptions {
  output?: string
  format?: 'json' | 'yaml'
}

export function registerSnapshot(program: Command, env: CliEnvironment): void {
  program
    .command('snapshot')
    .description('write the effective config of a swarm (seed config + recorded mutations) as a config file `start` accepts')
    .argument('<swarm>', 'swarm name')
    .option('-o, --output <file>', 'write to this file (.yaml, .yml or .json) instead of stdout')
    .option('--format <format>', 'json or yaml (default: from the file name, else yaml)')
    .addHelpText('after', '\nExample:\n  genswarms snapshot research-swarm -o research-now.yaml && genswarms start research-now.yaml')
    .action(withContext(env, snapshot))
}

async function snapshot(ctx: CliContext, swarm: string, opts: SnapshotOptions): Promise<void> {
  const config = serializeConfig(await ctx.engine().locate(swarm).effectiveConfig())
  if (opts.format !== undefined && opts.format !== 'json' && opts.format !== 'yaml') throw errors.invalidInput(`--format must be json or yaml, got "${opts.format}"`)
  const format = opts.format ?? (opts.output ? formatForPath(opts.output) : 'yaml')
  const text = format === 'json' ? JSON.stringify(config, null, 2) + '\n' : toYaml(config)
  if (!opts.output) return ctx.out.line(text.trimEnd())
  const path = resolve(ctx.cwd, opts.output)
  writeFileSync(path, text)
  ctx.out.note(`wrote the snapshot of ${swarm} (${config.agents.length} agents, ${config.topology.length} edges) to ${path}`)
}
