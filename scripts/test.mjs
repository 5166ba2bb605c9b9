#!/usr/bin/env node
// Runs the suite with tap and then checks that every test file under test/
// reported a complete result in this run: a file that died, hung or was never
// started must fail the run by name, not go missing from a long output.
//
//   node scripts/test.mjs [tap args...]          `npm test`
//   node scripts/test.mjs --loaded [tap args...] `npm run test:loaded`: the same run while two
//                                                CPU-bound processes compete for the cores
//
// With file arguments only those files run, and only they are checked.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { missingResults, testFiles } from './test-results.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const loaded = args[0] === '--loaded'
if (loaded) args.shift()

const busy = []
function stopBusy() {
  for (const child of busy.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}
if (loaded) {
  for (let i = 0; i < 2; i++) busy.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }))
  console.log(`# loaded run: two busy loops (pids ${busy.map((c) => c.pid).join(', ')}) compete with the suite`)
}
// Whatever ends this script, the busy loops end with it.
process.on('exit', stopBusy)

const started = Date.now()
const tapPackage = join(root, 'node_modules', 'tap')
const tapBin = join(tapPackage, JSON.parse(readFileSync(join(tapPackage, 'package.json'), 'utf8')).bin.tap)
const tap = spawn(process.execPath, [tapBin, ...args], { cwd: root, stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    tap.kill(signal)
    stopBusy()
  })
}

const { code, signal } = await new Promise((resolve) => tap.on('close', (code, signal) => resolve({ code, signal })))
stopBusy()
let exitCode = code ?? 1
if (signal) console.error(`# tap ended by ${signal}`)

const fileArgs = args.filter((a) => a.endsWith('.ts'))
const expected = fileArgs.length ? fileArgs.map((f) => relative(root, join(root, f))) : testFiles(root)
const missing = missingResults(root, expected, started)
const seconds = ((Date.now() - started) / 1000).toFixed(1)
console.log(`# ${expected.length - missing.length} of ${expected.length} test files reported a complete result in ${seconds} s`)
if (missing.length) {
  for (const line of missing) console.error(`# MISSING ${line}`)
  exitCode = exitCode || 1
}
process.exit(exitCode)
