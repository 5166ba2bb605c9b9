import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import type * as TypeScript from 'typescript'

/**
 * The CLI the tests spawn, compiled to JavaScript once instead of by tsx in
 * every process. Loading the sources through tsx costs each spawn (and every
 * daemon it starts) about twice the start-up time of the compiled program, and
 * a run spawns hundreds of them. The output is what `npm run build` makes,
 * transpiled file by file without the type check (`npm run typecheck` does
 * that), into a directory inside the repository so that `node_modules`,
 * `drizzle/` and `package.json` resolve exactly as they do for `dist/`.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BUILD_DIR = join(ROOT, '.test-build')
export const COMPILED_BIN = join(BUILD_DIR, 'bin', 'genswarms.js')
const SOURCES = ['app.ts', 'index.ts', 'bin', 'lib', 'plugins', 'routes']

function sourceFiles(): string[] {
  const files: string[] = []
  const walk = (path: string): void => {
    const stat = statSync(path)
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry))
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) files.push(path)
  }
  for (const entry of SOURCES) walk(join(ROOT, entry))
  return files
}

const outputOf = (source: string) => join(BUILD_DIR, relative(ROOT, source)).replace(/\.ts$/, '.js')

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return -1
  }
}

/**
 * Brings the build up to date with the sources and returns the compiled CLI.
 * Only sources newer than their output are transpiled again. Two test files
 * may do this at once: each output is written to a private name and renamed,
 * so a reader never sees half a file and both writers produce the same bytes.
 */
export function compiledCli(): string {
  let ts: typeof TypeScript | undefined
  for (const source of sourceFiles()) {
    const output = outputOf(source)
    if (mtime(output) >= mtime(source)) continue
    // Loaded only when something is out of date: it costs a test file most of a second.
    ts ??= createRequire(import.meta.url)('typescript') as typeof TypeScript
    const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
      fileName: source,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ES2022,
        esModuleInterop: true,
        inlineSourceMap: true,
      },
    })
    mkdirSync(dirname(output), { recursive: true })
    const temp = `${output}.${process.pid}.tmp`
    writeFileSync(temp, outputText)
    renameSync(temp, output)
  }
  return COMPILED_BIN
}

/**
 * The command line that runs the real CLI, compiled from the current sources.
 * GENSWARMS_TEST_CLI=tsx runs the sources through tsx instead, as before, to
 * compare the two or to rule the build step out.
 */
export function cliCommand(): string[] {
  if (process.env.GENSWARMS_TEST_CLI === 'tsx') return [process.execPath, '--import', import.meta.resolve('tsx'), join(ROOT, 'bin', 'genswarms.ts')]
  return [process.execPath, '--enable-source-maps', compiledCli()]
}
