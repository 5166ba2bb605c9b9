import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { mockAgent, swarmConfig, tempDir } from './helpers/engine.js'
import { restApp } from './helpers/rest-app.js'

const good = swarmConfig('ok', [mockAgent('a'), mockAgent('b')], [['a', 'b']])

t.test('POST /api/config/validate: config, config_path, or content with format', async (t) => {
  const { app, dir, call } = await restApp(t)
  const inline = await call('POST', '/api/config/validate', { config: good })
  t.equal(inline.status, 200)
  t.same(inline.body, { valid: true, config: { name: 'ok', agents: ['a', 'b'], objects: [], edges: 1 } })

  writeFileSync(join(dir, 'swarm.json'), JSON.stringify(good))
  t.same((await call('POST', '/api/config/validate', { config_path: 'swarm.json' })).body.valid, true)

  const yaml = 'name: text\nagents:\n  - name: one\n    backend: mock\n'
  t.same((await call('POST', '/api/config/validate', { content: yaml, format: 'yaml' })).body, {
    valid: true,
    config: { name: 'text', agents: ['one'], objects: [], edges: 0 },
  })
  t.same(app.swarmManager.list(), [], 'validation starts nothing')
})

t.test('POST /api/config/validate: invalid configs answer {valid: false, errors} with every error', async (t) => {
  const { dir, call } = await restApp(t)
  const bad = await call('POST', '/api/config/validate', {
    config: { name: 'x', agents: [{ name: 'a', backend: 'mock' }, { name: 'a', backend: 'mock' }], topology: [['a', 'cdr']] },
  })
  t.equal(bad.status, 400)
  t.same(bad.body, { valid: false, errors: ['agents[1].name: duplicate name "a"', 'topology[0]: unknown node "cdr"'] })

  const syntax = await call('POST', '/api/config/validate', { content: '{"name": ', format: 'json' })
  t.equal(syntax.status, 400)
  t.equal(syntax.body.valid, false)
  t.match(syntax.body.errors[0], /invalid JSON/)

  const missing = await call('POST', '/api/config/validate', { config_path: 'absent.yaml' })
  t.same(missing.body, { valid: false, errors: [`config file not found: ${join(dir, 'absent.yaml')}`] })
  const outside = await call('POST', '/api/config/validate', { config_path: '../../etc/hosts.yaml' })
  t.equal(outside.body.valid, false)
  t.match(outside.body.errors[0], /outside the working directory/)

  const noFormat = await call('POST', '/api/config/validate', { content: 'name: x' })
  t.same(noFormat.body, { error: '"format" ("json" or "yaml") is required with "content"', code: 'GS_INVALID_INPUT' })
  const badFormat = await call('POST', '/api/config/validate', { content: 'name: x', format: 'toml' })
  t.same(badFormat.body, { error: 'body/format must be one of json, yaml, yml', code: 'GS_INVALID_INPUT' })
  const none = await call('POST', '/api/config/validate', {})
  t.equal(none.status, 400)
  t.match(none.body.error, /give one of "config", "config_path", "content"/)
})

t.test('GET /api/skills lists the skills directory; GET /api/skills/:name reads one, confined to it', async (t) => {
  const { dir, call } = await restApp(t)
  t.same((await call('GET', '/api/skills')).body, { skills: [] }, 'no skills directory yet')
  mkdirSync(join(dir, 'skills'))
  writeFileSync(join(dir, 'skills', 'web.md'), '# Web\nSearch the web.\n')
  writeFileSync(join(dir, 'skills', 'code.md'), '# Code\n')
  writeFileSync(join(dir, 'skills', 'notes.txt'), 'not a skill')
  writeFileSync(join(dir, 'secret.md'), 'outside the skills dir')
  const outside = tempDir(t)
  writeFileSync(join(outside, 'leak.md'), 'leaked')
  symlinkSync(join(outside, 'leak.md'), join(dir, 'skills', 'leak.md'))

  const list = await call('GET', '/api/skills')
  t.equal(list.status, 200)
  t.same(list.body.skills.map((s: { name: string }) => s.name), ['code.md', 'web.md'])
  t.equal(list.body.skills[1].size, '# Web\nSearch the web.\n'.length)

  t.same((await call('GET', '/api/skills/web.md')).body, { name: 'web.md', content: '# Web\nSearch the web.\n' })
  t.same((await call('GET', '/api/skills/web')).body.name, 'web.md', 'the extension is optional')
  const missing = await call('GET', '/api/skills/nope.md')
  t.same(missing.body, { error: 'skill "nope.md" not found', code: 'GS_SKILL_NOT_FOUND' })
  t.equal(missing.status, 404)
  t.equal((await call('GET', '/api/skills/leak.md')).status, 404, 'a symlink out of the directory is not served')
  for (const name of ['..%2Fsecret.md', 'skills%2Fweb.md', '.hidden.md']) {
    const res = await call('GET', `/api/skills/${name}`)
    t.equal(res.status, 400, `${decodeURIComponent(name)} refused`)
    t.match(res.body.error, /^params\/name must match pattern/)
  }
})

t.test('the skillsDir option points elsewhere', async (t) => {
  const other = tempDir(t)
  writeFileSync(join(other, 'only.md'), 'x')
  const { call } = await restApp(t, { skillsDir: other })
  t.same((await call('GET', '/api/skills')).body.skills.map((s: { name: string }) => s.name), ['only.md'])
})
