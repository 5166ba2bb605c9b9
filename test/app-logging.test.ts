import { join } from 'node:path'
import { Writable } from 'node:stream'
import t from 'tap'
import { buildServer, redactToken } from '../app.js'
import { tempDir } from './helpers/engine.js'

t.test('a token in the socket URL never reaches the logs', async (t) => {
  let logged = ''
  const stream = new Writable({ write(chunk, _enc, done) { logged += chunk; done() } })
  const app = await buildServer({ logger: { level: 'info', stream }, dbPath: join(tempDir(t), 'db.sqlite'), apiToken: 's3cret-token' })
  t.teardown(() => app.close())
  const res = await app.inject({ url: '/swarm/websocket?vsn=2.0.0&token=s3cret-token' })
  t.ok(res.statusCode >= 400, 'a plain GET is no upgrade')
  t.match(logged, /token=\[redacted\]/)
  t.notMatch(logged, /s3cret-token/)
})

t.test('redactToken', async (t) => {
  t.equal(redactToken('/swarm/websocket?token=abc&vsn=2.0.0'), '/swarm/websocket?token=[redacted]&vsn=2.0.0')
  t.equal(redactToken('/x?vsn=2.0.0&TOKEN=abc'), '/x?vsn=2.0.0&TOKEN=[redacted]')
  t.equal(redactToken('/api/swarms'), '/api/swarms')
})
