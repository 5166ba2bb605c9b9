import { Option, type Command } from 'commander'
import { CATEGORIES, LEVELS, type Level } from '../../events/taxonomy.js'
import type { SwarmEvent } from '../../events/types.js'
import { errors } from '../../errors.js'
import { positiveInt, withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'
import { followEvents, recentEvents, untilInterrupted, type EventFilter } from '../follow.js'
import { formatEvent } from '../format.js'

interface EventsOptions {
  swarm?: string
  agent?: string
  errors?: boolean
  warnings?: boolean
  level?: Level
  category?: string
  type?: string
  minutes?: number
  limit: number
  follow?: boolean
  json?: boolean
}

export function registerEvents(program: Command, env: CliEnvironment): void {
  program
    .command('events')
    .description('show stored events, newest last; --follow keeps printing them as any process writes them')
    .option('-s, --swarm <swarm>', 'only this swarm')
    .option('-a, --agent <agent>', 'only this agent (or object)')
    .option('--errors', 'only level error')
    .option('--warnings', 'only level warning (with --errors: both)')
    .addOption(new Option('--level <level>', 'this level and above (default: info, so debug events such as agent state changes are hidden, unless --type names one)').choices([...LEVELS]))
    .addOption(new Option('--category <category>', 'only this category').choices([...CATEGORIES]))
    .option('--type <event_type>', 'only this event type, e.g. agent_output')
    .option('--minutes <n>', 'only the last n minutes', positiveInt('--minutes'))
    .option('-n, --limit <n>', 'how many past events to show (0: none)', positiveInt('--limit'), 50)
    .option('-f, --follow', 'keep printing new events until Ctrl-C')
    .option('--json', 'one JSON event per line')
    .addHelpText('after', '\nExamples:\n  genswarms events --errors --minutes 10\n  genswarms events -s research-swarm --type agent_output --follow --json')
    .action(withContext(env, (ctx: CliContext, opts: EventsOptions) => {
      const chosen = [...(opts.errors ? ['error'] : []), ...(opts.warnings ? ['warning'] : [])]
      const minimum = opts.level ?? (opts.type ? 'debug' : 'info')
      const levels = chosen.length ? chosen : LEVELS.slice(LEVELS.indexOf(minimum))
      return showEvents(ctx, {
        swarm: opts.swarm, agent: opts.agent, category: opts.category, event_type: opts.type, minutes: opts.minutes,
        ...(levels.length < LEVELS.length ? { levels } : {}),
      }, opts)
    }))
}

export function registerLogs(program: Command, env: CliEnvironment): void {
  program
    .command('logs')
    .description("show a swarm's (or an agent's) recent events, newest last; -f follows them live")
    .argument('[swarm]', 'swarm name (all swarms when omitted)')
    .argument('[agent]', 'agent name')
    .option('-n, --lines <n>', 'how many past entries to show', positiveInt('--lines'), 50)
    .option('-f, --follow', 'keep printing new entries until Ctrl-C')
    .option('--debug', 'include debug entries (agent state changes, agent stderr)')
    .option('--json', 'one JSON event per line')
    .addHelpText('after', '\nExamples:\n  genswarms logs research-swarm\n  genswarms logs research-swarm writer -f --debug')
    .action(withContext(env, (ctx: CliContext, swarm: string | undefined, agent: string | undefined, opts: { lines: number; follow?: boolean; debug?: boolean; json?: boolean }) => {
      if (agent && !swarm) throw errors.invalidInput('name the swarm before the agent')
      if (swarm) knownSwarm(ctx, swarm)
      const levels = opts.debug ? {} : { levels: LEVELS.filter((l) => l !== 'debug') }
      return showEvents(ctx, { swarm, agent, ...levels }, { limit: opts.lines, follow: opts.follow, json: opts.json })
    }))
}

/** `logs <swarm>` for a swarm the database never saw is an error, as `status <swarm>` is; a removed swarm's events still count. */
function knownSwarm(ctx: CliContext, swarm: string): void {
  if (!ctx.hasDatabase) throw errors.swarmNotFound(swarm)
  const engine = ctx.engine()
  if (engine.registry.get(swarm) || engine.eventStore.query({ swarm, limit: 1 }).length > 0) return
  throw errors.swarmNotFound(swarm)
}

async function showEvents(ctx: CliContext, filter: EventFilter, opts: { limit: number; follow?: boolean; json?: boolean }): Promise<void> {
  if (!opts.follow && !ctx.hasDatabase) {
    if (!opts.json) ctx.out.note('no matching events')
    return
  }
  // Following may start before anything has run: the database is created to be tailed.
  const store = ctx.engine({ create: true }).eventStore
  const print = opts.json ? (e: SwarmEvent) => ctx.out.json(e) : (e: SwarmEvent) => ctx.out.line(formatEvent(e, ctx.out.out))
  const tip = store.maxEventId()
  const recent = recentEvents(store, filter, opts.limit, tip)
  for (const e of recent) print(e)
  if (!opts.follow) {
    if (recent.length === 0 && !opts.json) ctx.out.note('no matching events')
    return
  }
  const interrupt = untilInterrupted()
  try {
    await followEvents(store, tip, filter, print, interrupt.signal)
  } finally {
    interrupt.dispose()
  }
}
