import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { tempDir } from './helpers/engine.js'

// What a user gets from `npm install genswarms`: the package is built and
// packed as `npm publish` would, then a consumer app written from the README
// is type-checked and run against the tarball, not against the sources.
const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
// Never copied into the staging copy: built output, state, and what is not the project's.
const SKIP = new Set(['node_modules', '.git', 'dist', '.test-build', '.genswarms', '.tap', 'coverage'])

const CONSUMER_APP = `import Fastify from 'fastify'
import genswarms from 'genswarms'

const app = Fastify({ logger: false })
await app.register(genswarms, {
  dbPath: process.env.CONSUMER_DB!,
  prefix: '/genswarms',
})
app.get('/health', async () => ({ ok: true }))
await app.listen({ port: 0, host: '127.0.0.1' })

await app.swarmManager.start({
  name: 'echo',
  agents: [{ name: 'parrot', backend: { type: 'mock', echo: true }, skills: [], config: {} }],
  objects: [],
  topology: [],
})
const info = (await app.inject({ method: 'GET', url: '/genswarms/' })).json() as { version: string }
const openapi = (await app.inject({ method: 'GET', url: '/genswarms/documentation/json' })).json() as { info: { version: string } }
console.log(JSON.stringify({ info: info.version, openapi: openapi.info.version, swarms: app.swarmManager.list().length }))
await app.close()
`

t.test('a consumer app type-checks and runs against the packed tarball', async (t) => {
  const work = tempDir(t, 'genswarms-pack-')
  const stage = join(work, 'stage')
  // A copy of the project, so the build and the pack never write into the checkout other tests read.
  cpSync(ROOT, stage, { recursive: true, filter: (src) => !SKIP.has(src.slice(ROOT.length).split('/')[0]!) })
  symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'))
  await run(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: stage })
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: stage })
  const [{ filename, files }] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }]
  const paths = files.map((f) => f.path)
  t.ok(paths.includes('LICENSE'), 'the licence ships')
  t.ok(paths.includes('docs/cli.md'), 'the docs the README links to ship')
  t.ok(paths.includes('dist/plugins/core.d.ts'), 'the decorator types ship')
  t.ok(paths.includes('templates/default/.env.example') && paths.includes('templates/default/gitignore'), 'genswarms init\'s templates ship')

  const consumer = join(work, 'consumer')
  const modules = join(consumer, 'node_modules')
  mkdirSync(join(modules, 'genswarms'), { recursive: true })
  // Installed offline: the tarball unpacked as npm would, its dependencies linked from this checkout.
  await run('tar', ['-xzf', join(work, filename), '-C', join(modules, 'genswarms'), '--strip-components=1'])
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry === '.bin' || entry.startsWith('.') || entry === 'genswarms') continue
    symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry))
  }
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], outDir: 'out', skipLibCheck: true },
    include: ['app.ts'],
  }))
  writeFileSync(join(consumer, 'app.ts'), CONSUMER_APP)

  const tsc = await run(process.execPath, [TSC, '-p', '.'], { cwd: consumer }).catch((err: { stdout: string; stderr: string }) => err)
  t.equal(tsc.stdout + tsc.stderr, '', 'tsc reports nothing')

  const app = await run(process.execPath, ['out/app.js'], { cwd: consumer, env: { ...process.env, NODE_OPTIONS: '', CONSUMER_DB: join(work, 'c.db') } })
  t.same(JSON.parse(app.stdout.trim()), { info: pkg.version, openapi: pkg.version, swarms: 1 }, 'the embedded plugin reports the package version')
})
