// What `npm test` checks after tap: every test file left a complete result of
// this run in .tap/test-results. Kept apart from the runner so a test can check
// the check.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/** Every test/**\/*.test.ts under `root`, relative to it, sorted. */
export function testFiles(root) {
  const files = []
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.test.ts')) files.push(relative(root, path))
    }
  }
  walk(join(root, 'test'))
  return files.sort()
}

/** One line per file of `files` without a complete result written since `sinceMs`. */
export function missingResults(root, files, sinceMs) {
  const missing = []
  for (const file of files) {
    const result = join(root, '.tap', 'test-results', `${file}.tap`)
    if (!existsSync(result) || statSync(result).mtimeMs < sinceMs) missing.push(`${file}: no result from this run`)
    // A file that ran to its end prints its plan last, unindented; one that was killed does not.
    else if (!/^1\.\.\d+/m.test(readFileSync(result, 'utf8'))) missing.push(`${file}: did not finish (no plan)`)
  }
  return missing
}
