import { spawn } from 'node:child_process'
import { readFileSync, statSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { isPidAlive } from '../lib/db/registry.js'
import { BUILD_DIR, compiledCli } from './helpers/cli-build.js'
import { cliWorkspace } from './helpers/cli.js'

// The harness the CLI tests stand on: what it spawns, and what it cleans up.

const ROOT = fileURLToPath(new URL('../', import.meta.url))

t.test('the workspace teardown never kills a process that only happens to hold a registered pid', async (t) => {
  // Stands for a pid the OS handed to someone else (another test file) after the registered process exited.
  const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  t.teardown(() => void bystander.kill('SIGKILL'))
  await new Promise((resolve) => bystander.once('spawn', resolve))

  await t.test('a workspace whose registry names that pid as running', async (t) => {
    const ws = cliWorkspace(t)
    // The CLI creates the database; the row is then made to point at the bystander.
    t.equal((await ws.run(['events', '--json'])).code, 0)
    ws.registry().register({ name: 'ghost', pid: bystander.pid! })
    t.equal(ws.registry().get('ghost')?.status, 'running')
    const status = await ws.run(['status', '--json'])
    t.equal(status.code, 0, status.stderr)
  })
  // The subtest's teardown has run by now.
  t.ok(isPidAlive(bystander.pid!), 'the bystander is still alive after the teardown')
  t.equal(bystander.exitCode, null)
  t.equal(bystander.signalCode, null)
})

t.test('the CLI under test is compiled from the current sources', async (t) => {
  const bin = compiledCli()
  t.equal(bin, join(BUILD_DIR, 'bin', 'genswarms.js'))
  const source = join(ROOT, 'lib', 'version.ts')
  const output = join(BUILD_DIR, 'lib', 'version.js')
  // An output older than its source is transpiled again.
  utimesSync(output, new Date(0), new Date(0))
  compiledCli()
  t.ok(statSync(output).mtimeMs >= statSync(source).mtimeMs, 'a stale output is rebuilt')

  const ws = cliWorkspace(t)
  const version = await ws.run(['--version'])
  t.equal(version.code, 0, version.stderr)
  t.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version)
})
