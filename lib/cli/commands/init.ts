import { Option, type Command } from 'commander'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { SWARM_NAME_RE } from '../../config/types.js'
import { errors } from '../../errors.js'
import { withContext } from '../command.js'
import type { CliContext, CliEnvironment } from '../context.js'
import { packageDir } from '../package-dir.js'
import { PROJECT_FILE, type ProjectFile } from '../project.js'

interface InitOptions {
  example?: ExampleName
  force?: boolean
  name?: string
}

type ExampleName = keyof typeof EXAMPLES

/**
 * The shipped examples `--example` copies: the files, the project file that
 * tells `up` which config to run, and the task that sets each one going. The
 * paths inside a copied config are rewritten from the repository's layout
 * (`examples/tic-tac-toe/game.mjs`) to the new directory's (`./game.mjs`).
 */
const EXAMPLES = {
  'tic-tac-toe': {
    files: ['tic-tac-toe/game.mjs', 'tic-tac-toe/player.mjs', 'tic-tac-toe/skills', 'tic-tac-toe/tic-tac-toe.yaml', 'tic-tac-toe/tic-tac-toe-llm.yaml'],
    project: { swarm: 'tic-tac-toe-llm.yaml', mock_swarm: 'tic-tac-toe.yaml' },
    tryIt: 'genswarms task tic-tac-toe player_x --wait play   (tic-tac-toe-llm with OPENAI_BASE_URL set)',
  },
  research: {
    files: ['research-swarm.yaml'],
    project: { swarm: 'research-swarm.yaml' },
    tryIt: 'genswarms task research-swarm researcher --wait "Research the history of the transistor"',
  },
  party: {
    files: ['party.yaml'],
    project: { swarm: 'party.yaml' },
    tryIt: 'genswarms task party guest1 --wait start',
  },
} satisfies Record<string, { files: string[]; project: ProjectFile; tryIt: string }>

export function registerInit(program: Command, env: CliEnvironment): void {
  program
    .command('init')
    .description('create a swarm project in a directory (default: this one): a config, skills, .env.example; then `genswarms up` runs it')
    .argument('[dir]', 'where to create it (made when missing)', '.')
    .addOption(new Option('--example <name>', 'copy a shipped example instead').choices(Object.keys(EXAMPLES)))
    .option('--name <swarm>', 'the swarm\'s name (default: from the directory name)')
    .option('--force', 'write into a directory that already has files (same-named files are overwritten)')
    .addHelpText('after', '\nExamples:\n  genswarms init my-swarm && cd my-swarm && genswarms up\n  genswarms init --example tic-tac-toe games')
    .action(withContext(env, init))
}

async function init(ctx: CliContext, dir: string, opts: InitOptions): Promise<void> {
  const target = resolve(ctx.cwd, dir)
  if (existsSync(target) && readdirSync(target).length > 0 && !opts.force) throw errors.directoryNotEmpty(target)
  mkdirSync(target, { recursive: true })
  const written = opts.example ? copyExample(target, opts.example) : scaffold(target, swarmName(target, opts.name))
  const c = ctx.out.out
  const shown = relative(ctx.cwd, target) || '.'
  ctx.out.line(`${c.green('created')} ${opts.example ? `the ${opts.example} example` : 'a swarm project'} in ${shown}: ${written.join(', ')}`)
  ctx.out.line('Next:')
  if (shown !== '.') ctx.out.line(`  cd ${shown}`)
  ctx.out.line('  genswarms up')
  ctx.out.line(`  ${opts.example ? EXAMPLES[opts.example].tryIt : `genswarms task ${swarmName(target, opts.name)} planner --wait "Explain why the sky is blue"`}`)
}

function swarmName(target: string, given: string | undefined): string {
  if (given !== undefined) {
    if (!SWARM_NAME_RE.test(given)) throw errors.invalidInput(`--name "${given}" is not a swarm name (a letter, then letters, digits, _ or -)`)
    return given
  }
  const fromDir = basename(target).replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[^A-Za-z]+/, '')
  return SWARM_NAME_RE.test(fromDir) ? fromDir : 'my-swarm'
}

/** templates/default, with the swarm's name filled in; `gitignore` becomes `.gitignore` (npm would drop the dotted one from the package). */
function scaffold(target: string, name: string): string[] {
  const source = join(packageDir(), 'templates', 'default')
  const written: string[] = []
  const walk = (from: string, to: string): void => {
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const out = join(to, entry.name === 'gitignore' ? '.gitignore' : entry.name)
      if (entry.isDirectory()) {
        mkdirSync(out, { recursive: true })
        walk(join(from, entry.name), out)
        continue
      }
      writeFileSync(out, readFileSync(join(from, entry.name), 'utf8').replaceAll('{{name}}', name))
      written.push(relative(target, out))
    }
  }
  walk(source, target)
  return written.sort()
}

function copyExample(target: string, name: ExampleName): string[] {
  const example = EXAMPLES[name]
  const examples = join(packageDir(), 'examples')
  const written: string[] = []
  for (const file of example.files) {
    const out = join(target, basename(file))
    cpSync(join(examples, file), out, { recursive: true })
    if (/\.ya?ml$/.test(file)) writeFileSync(out, readFileSync(out, 'utf8').replaceAll('./examples/tic-tac-toe/', './').replaceAll('examples/tic-tac-toe/', ''))
    written.push(basename(file))
  }
  writeFileSync(join(target, PROJECT_FILE), JSON.stringify(example.project, null, 2) + '\n')
  written.push(PROJECT_FILE)
  return written
}
