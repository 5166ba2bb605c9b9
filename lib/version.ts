import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | null = null

/** The package's version, found by walking up from this file (sources and `dist/` alike). */
export function packageVersion(): string {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'genswarms' && pkg.version) return (cached = pkg.version)
    } catch {
      // no package.json here
    }
    const parent = dirname(dir)
    if (parent === dir) return (cached = '0.0.0')
    dir = parent
  }
}
