import type { Command } from 'commander'
import { errors } from '../../errors.js'
import { listSwarms } from '../../hosts/index.js'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'
import { formatStatus } from '../format.js'
import { runsInServer } from '../launch.js'
import { table } from '../output.js'

export function registerStatus(program: Command, env: CliEnvironment): void {
  program
    .command('status')
    .description('list every swarm in the database, or show one; a daemon that died reads "crashed"')
    .argument('[name]', 'swarm name')
    .option('--json', 'print the result as JSON')
    .action(withContext(env, status))
}

async function status(ctx: CliContext, name: string | undefined, opts: { json?: boolean }): Promise<void> {
  if (!ctx.hasDatabase) {
    if (name !== undefined) throw errors.swarmNotFound(name)
    return opts.json ? ctx.out.json({ swarms: [] }) : ctx.out.line('no swarms (start one with: genswarms start <config>)')
  }
  const engine = ctx.engine()
  // Read from the database, where this process runs nothing: a swarm inside `genswarms up` is in process there.
  const host = (pid: number | null) => (runsInServer(ctx, pid) ? 'in_process' : 'daemon')
  if (name === undefined) {
    const swarms = listSwarms(engine.reach).map((s) => ({ ...s, source: host(s.pid) }))
    if (opts.json) return ctx.out.json({ swarms })
    if (swarms.length === 0) return ctx.out.line('no swarms (start one with: genswarms start <config>)')
    const c = ctx.out.out
    const rows = [['NAME', 'STATUS', 'PID', 'AGENTS', 'STARTED'].map((h) => c.dim(h))]
    for (const s of swarms) rows.push([c.bold(s.name), formatStatus(s.status, c), String(s.pid ?? '-'), String(s.agents), s.started_at ?? '-'])
    for (const line of table(rows)) ctx.out.line(line)
    return
  }
  // The server that runs a swarm knows its agents' live state; the database alone does not.
  const detail = runsInServer(ctx, engine.registry.get(name)?.pid ?? null) ? await (await ctx.locate(name)).status() : await engine.locate(name).status()
  const shown = { ...detail, source: host(detail.pid) }
  if (opts.json) return ctx.out.json(shown)
  const c = ctx.out.out
  ctx.out.line(`${c.bold(shown.name)}  ${formatStatus(shown.status, c)}${shown.pid ? `  pid ${shown.pid}` : ''}`)
  const info: [string, string | null | undefined][] = [
    ['host', shown.source === 'in_process' ? 'server (genswarms up)' : 'daemon'],
    ['config', shown.config_path],
    ['log', 'log_path' in shown ? shown.log_path : null],
    ['started', shown.started_at],
    ['stopped', 'stopped_at' in shown ? shown.stopped_at : null],
  ]
  for (const [label, value] of info) if (value) ctx.out.line(`  ${c.dim(label.padEnd(8))} ${value}`)
  const targets = new Map(shown.topology.map((t) => [t.from, t.targets]))
  ctx.out.line(`  ${c.dim('agents')}`)
  for (const agent of shown.agents) {
    const to = targets.get(agent.name) ?? []
    // Only agents that spend tokens (or may) get the column, so mock and local swarms read as before.
    const tokens = agent.tokens.total_tokens > 0 || agent.budget ? `  ${c.dim(tokenLine(agent.tokens.total_tokens, agent.budget))}` : ''
    const state = agent.state === 'unknown' ? '' : ` ${agent.state}`
    ctx.out.line(`    ${agent.name} ${c.dim(`(${agent.backend})`)}${state}${to.length ? ` → ${to.join(', ')}` : ''}${tokens}`)
  }
  if (shown.tokens.total_tokens > 0 || shown.budget) ctx.out.line(`  ${c.dim('tokens'.padEnd(8))} ${tokenLine(shown.tokens.total_tokens, shown.budget)}`)
}

function tokenLine(total: number, budget: { max_tokens: number } | null): string {
  return budget ? `${total}/${budget.max_tokens} tokens` : `${total} tokens`
}
