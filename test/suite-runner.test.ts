import { mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import t from 'tap'
import { missingResults, testFiles } from '../scripts/test-results.mjs'
import { tempDir } from './helpers/engine.js'

// `npm test` fails by name when a test file left no complete result: a file
// that was killed, hung past its timeout or never started cannot go missing
// from a run unnoticed.

function project(t: Parameters<typeof tempDir>[0], results: Record<string, string | null>, files: string[]) {
  const root = tempDir(t, 'genswarms-runner-')
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true })
    writeFileSync(join(root, file), '')
  }
  for (const [file, text] of Object.entries(results)) {
    if (text === null) continue
    const path = join(root, '.tap', 'test-results', `${file}.tap`)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
  }
  return root
}

t.test('every test file needs a complete result from this run', async (t) => {
  const files = ['test/a.test.ts', 'test/b.test.ts', 'test/c.test.ts', 'test/d.test.ts', 'test/sub/e.test.ts']
  const root = project(t, {
    'test/a.test.ts': 'TAP version 14\n# Subtest: x\n    ok 1 - y\n    1..1\nok 1 - x\n1..1\n',
    // killed half way: the nested plan is there, its own is not
    'test/b.test.ts': 'TAP version 14\n# Subtest: x\n    ok 1 - y\n    1..1\n',
    'test/c.test.ts': null,
    'test/d.test.ts': 'TAP version 14\n1..0\n',
    'test/sub/e.test.ts': 'TAP version 14\nok 1 - z\n1..1\n',
  }, [...files, 'test/helpers/not-a-test.ts'])
  const since = Date.now() - 60_000
  // d's result is left from an earlier run.
  utimesSync(join(root, '.tap', 'test-results', 'test/d.test.ts.tap'), new Date(since - 1000), new Date(since - 1000))

  t.same(testFiles(root), files, 'every *.test.ts under test/, helpers left out')
  t.same(missingResults(root, testFiles(root), since), [
    'test/b.test.ts: did not finish (no plan)',
    'test/c.test.ts: no result from this run',
    'test/d.test.ts: no result from this run',
  ])
})
