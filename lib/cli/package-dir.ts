import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The installed package's root (where templates/ and examples/ are), from the sources and from dist/ alike. */
export function packageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'genswarms') return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error('the genswarms package directory was not found above ' + fileURLToPath(import.meta.url))
    dir = parent
  }
}
