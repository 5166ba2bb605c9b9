/**
 * `npm run bench [-- <name filter>...]`: runs every bench file in this folder
 * one after another and prints their results.
 *
 * A bench file is any `bench/*.ts` other than this one (helpers and child
 * scripts live in `bench/helpers/`). It default-exports a `Bench`; it may also
 * run itself when executed directly (see `runIfMain`).
 */
import { readdirSync } from 'node:fs'
import { cpus } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export interface Metric {
  label: string
  value: number
  unit: string
}

export interface BenchResult {
  /** what was measured, in a few words */
  title: string
  metrics: Metric[]
  /** setup details worth printing under the numbers */
  notes?: string[]
}

export interface Bench {
  name: string
  run(): Promise<BenchResult>
}

export function formatResult(name: string, result: BenchResult): string {
  const width = Math.max(...result.metrics.map((m) => m.label.length), 10)
  const lines = [`${name} — ${result.title}`]
  for (const m of result.metrics) {
    const value = Number.isInteger(m.value) ? String(m.value) : m.value.toFixed(2)
    lines.push(`  ${m.label.padEnd(width)}  ${value.padStart(10)} ${m.unit}`)
  }
  for (const note of result.notes ?? []) lines.push(`  · ${note}`)
  return lines.join('\n')
}

/** The machine a figure was measured on, with its load when the run began: ratios mean little without it. */
export function machineNote(loadAtStart: number): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${loadAtStart.toFixed(2)} at start`
}

/** Lets a bench file run on its own: `node --import tsx bench/<file>.ts`. */
export async function runIfMain(meta: ImportMeta, bench: Bench): Promise<void> {
  if (!process.argv[1] || pathToFileURL(process.argv[1]).href !== meta.url) return
  console.log(formatResult(bench.name, await bench.run()))
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url))
  const filters = process.argv.slice(2)
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.ts') && f !== basename(fileURLToPath(import.meta.url)))
    .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
    .sort()
  if (files.length === 0) {
    console.error(`no bench file matches ${filters.join(', ')}`)
    process.exit(1)
  }
  let failed = false
  for (const file of files) {
    const { default: bench } = (await import(pathToFileURL(join(here, file)).href)) as { default: Bench }
    try {
      console.log(formatResult(bench.name, await bench.run()))
    } catch (err) {
      failed = true
      console.error(`${file}: ${(err as Error).stack ?? err}`)
    }
    console.log()
  }
  process.exit(failed ? 1 : 0)
}

// Not a top-level await: bench files import runIfMain from this module, and
// awaiting here would leave it mid-evaluation while main() imports them (deadlock).
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
