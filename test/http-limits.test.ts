import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import Fastify from 'fastify'
import t from 'tap'
import genswarms from '../index.js'
import { mockAgent, swarmConfig, tempDir } from './helpers/engine.js'
import { openPartial, parseResponse, rawRequest } from './helpers/http-raw.js'
import { restApp } from './helpers/rest-app.js'
import { startServer } from './helpers/server.js'

const json = (value: unknown) => ({ headers: { host: 'localhost', 'content-type': 'application/json' }, body: JSON.stringify(value) })

t.test('numeric query parameters are range-checked on every route', async (t) => {
  const { port, http } = await startServer(t)
  const started = await fetch(`${http}/api/swarms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config: swarmConfig('q', [mockAgent('a')]) }) })
  t.equal(started.status, 201)
  const paths = ['/api/events', '/api/swarms/q/events', '/api/swarms/q/agents/a/events']
  const bad = ['minutes=1e308', 'minutes=Infinity', 'minutes=-1', 'minutes=0', 'minutes=NaN', 'minutes=99999999999', 'limit=1e308', 'limit=0', 'limit=-5', 'limit=2.5', 'limit=Infinity']
  for (const path of paths) {
    for (const query of bad) {
      const res = await rawRequest(port, { path: `${path}?${query}`, headers: { host: 'localhost' } })
      t.equal(res.status, 400, `${path}?${query}`)
      t.equal(res.body.code, 'GS_INVALID_INPUT', `${path}?${query}: code`)
    }
    t.equal((await rawRequest(port, { path: `${path}?minutes=1.5&limit=5000`, headers: { host: 'localhost' } })).status, 200, `${path}: sensible values are served`)
    t.equal((await rawRequest(port, { path: `${path}?minutes=52000000`, headers: { host: 'localhost' } })).status, 200, `${path}: a century back is fine`)
  }
  for (const path of ['/api/swarms/q/messages', '/api/swarms/q/agents/a/history']) {
    const res = await rawRequest(port, { path: `${path}?limit=1e308`, headers: { host: 'localhost' } })
    t.equal(res.status, 400, `${path}?limit=1e308`)
    t.equal(res.body.code, 'GS_INVALID_INPUT')
  }
  for (const count of [1e308, -1, 101, 2.5]) {
    const res = await rawRequest(port, { method: 'POST', path: '/api/swarms/q/agents/a/scale', ...json({ count }) })
    t.equal(res.status, 400, `scale count ${count}`)
    t.equal(res.body.code, 'GS_INVALID_INPUT')
  }
  t.equal((await fetch(`${http}/api/swarms`)).status, 200, 'the server keeps serving')
})

t.test('connections that never finish their body or headers are closed after the request timeout', async (t) => {
  const { port, http } = await startServer(t, { requestTimeoutMs: 400 })
  const slowBodies = 30
  const slowHeads = 10
  const sockets: Socket[] = []
  for (let i = 0; i < slowBodies; i++) {
    sockets.push(await openPartial(port, 'POST /api/config/validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"config":'))
  }
  for (let i = 0; i < slowHeads; i++) sockets.push(await openPartial(port, 'GET /api/swarms HTTP/1.1\r\nhost: localhost\r\nx-slow: '))
  const answers = sockets.map((socket) => {
    const chunks: Buffer[] = []
    socket.on('data', (c) => chunks.push(c))
    socket.on('error', () => {})
    return new Promise<string>((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))))
  })
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<'open'>((resolve) => (timer = setTimeout(() => resolve('open'), 30_000)))
  const closed = await Promise.race([Promise.all(answers), bound])
  clearTimeout(timer)
  if (closed === 'open') {
    for (const s of sockets) s.destroy()
    t.fail('connections were still open 30 s after a 400 ms request timeout')
    return
  }
  t.equal(closed.length, slowBodies + slowHeads, 'every slow connection was closed by the server')
  const refusals = closed.filter((raw) => raw.length > 0).map(parseResponse)
  t.ok(refusals.length > 0, 'and told why')
  for (const r of refusals) {
    t.equal(r.status, 408)
    t.equal(r.body.code, 'GS_REQUEST_TIMEOUT')
  }
  t.equal((await fetch(`${http}/api/swarms`)).status, 200, 'the server keeps serving')
})

t.test('GENSWARMS_REQUEST_TIMEOUT_MS sets the timeout; a bad value is refused at startup', async (t) => {
  const previous = process.env.GENSWARMS_REQUEST_TIMEOUT_MS
  t.teardown(() => {
    if (previous === undefined) delete process.env.GENSWARMS_REQUEST_TIMEOUT_MS
    else process.env.GENSWARMS_REQUEST_TIMEOUT_MS = previous
  })
  process.env.GENSWARMS_REQUEST_TIMEOUT_MS = '1234'
  const { app } = await startServer(t)
  t.equal(app.server.requestTimeout, 1234)
  process.env.GENSWARMS_REQUEST_TIMEOUT_MS = 'soon'
  await t.rejects(startServer(t), /request timeout must be a positive whole number/)
  delete process.env.GENSWARMS_REQUEST_TIMEOUT_MS
  const defaults = await startServer(t)
  t.equal(defaults.app.server.requestTimeout, 30_000, '30 s by default')
})

t.test('config_path must be a regular file within the body limit', async (t) => {
  const { port, dir, http } = await startServer(t, { bodyLimit: 8192 })
  execFileSync('mkfifo', [join(dir, 'pipe.yaml')])
  const unix = createServer()
  await new Promise<void>((resolve) => unix.listen(join(dir, 'sock.json'), resolve))
  t.teardown(() => unix.close())
  writeFileSync(join(dir, 'big.json'), JSON.stringify({ name: 'big', description: 'x'.repeat(10_000), agents: [{ name: 'a', backend: 'mock' }] }))
  mkdirSync(join(dir, 'folder.yaml'))
  writeFileSync(join(dir, 'fine.json'), JSON.stringify(swarmConfig('fine', [mockAgent('a')])))

  const cases = [['pipe.yaml', /FIFO/], ['sock.json', /socket/], ['big.json', /larger than the 8192-byte limit/], ['folder.yaml', /directory/]] as const
  for (const [file, message] of cases) {
    // A FIFO used to block the request (and a file-system thread) for ever: each answer must come.
    const started = await rawRequest(port, { method: 'POST', path: '/api/swarms', ...json({ config_path: file }) })
    t.equal(started.status, 400, `start from ${file}`)
    t.equal(started.body.code, 'GS_CONFIG_FILE')
    t.match(started.body.error, message)
    const validated = await rawRequest(port, { method: 'POST', path: '/api/config/validate', ...json({ config_path: file }) })
    t.equal(validated.status, 400, `validate ${file}`)
    t.match(validated.body.errors?.[0], message)
  }
  // Several at once would have taken every libuv file-system thread.
  const parallel = await Promise.all(Array.from({ length: 6 }, () => rawRequest(port, { method: 'POST', path: '/api/swarms', ...json({ config_path: 'pipe.yaml' }) })))
  t.same(parallel.map((r) => r.status), Array(6).fill(400))
  const fine = await rawRequest(port, { method: 'POST', path: '/api/swarms', ...json({ config_path: 'fine.json' }) })
  t.equal(fine.status, 201, 'a regular file still starts a swarm')
  t.equal((await fetch(`${http}/api/skills`)).status, 200, 'other routes keep answering')
})

t.test('skill files follow the same rule', async (t) => {
  const { port, dir } = await startServer(t, { bodyLimit: 4096 })
  mkdirSync(join(dir, 'skills'))
  execFileSync('mkfifo', [join(dir, 'skills', 'pipe.md')])
  writeFileSync(join(dir, 'skills', 'huge.md'), '#'.repeat(5000))
  writeFileSync(join(dir, 'skills', 'web.md'), '# web\n')
  for (const [name, message] of [['pipe.md', /FIFO/], ['huge', /larger than the 4096-byte limit/]] as const) {
    const res = await rawRequest(port, { path: `/api/skills/${name}`, headers: { host: 'localhost' } })
    t.equal(res.status, 400, name)
    t.equal(res.body.code, 'GS_CONFIG_FILE')
    t.match(res.body.error, message)
  }
  const web = await rawRequest(port, { path: '/api/skills/web', headers: { host: 'localhost' } })
  t.same(web.body, { name: 'web.md', content: '# web\n' })
})

t.test('embedded: the plugin bounds requests only when the host app set no timeout of its own', async (t) => {
  const bare = await restApp(t)
  t.equal(bare.app.server.requestTimeout, 30_000, 'Fastify leaves it off; the plugin sets 30 s')
  const tuned = await restApp(t, { requestTimeoutMs: 2500 })
  t.equal(tuned.app.server.requestTimeout, 2500)
  const dir = tempDir(t)
  const host = Fastify({ logger: false, requestTimeout: 7000 })
  host.setNotFoundHandler((_request, reply) => reply.code(404).send({ mine: true }))
  await host.register(genswarms, { dbPath: join(dir, 'swarms.db'), cwd: dir, apiToken: null, relay: false, daemonEntry: null })
  t.teardown(() => host.close())
  await host.ready()
  t.equal(host.server.requestTimeout, 7000, 'a host\'s own timeout is kept')
  t.same((await host.inject({ url: '/api/nope' })).json(), { mine: true }, 'and so is a not-found handler it set first')
})
