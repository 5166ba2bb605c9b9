import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { Duplex } from 'node:stream'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parse } from 'yaml'
import { startFakeOpenAI } from './helpers/fake-openai.js'
import { KEY_VAR, SECRET_KEY } from './helpers/llm.js'
import { chromiumPath, ensureDashboardBuilt, openBrowser, openPage } from './helpers/browser.js'
import { startServer, until, type TestServer } from './helpers/server.js'

// Browser globals inside page.evaluate / waitForFunction callbacks, which run in the page.
declare const window: any
declare const document: any
declare const sessionStorage: any

// The dashboard in a real browser, against the real server: the page is the
// reference client of the REST API and the socket, so this drives both.
const chromium = chromiumPath()
if (!chromium) {
  t.comment('SKIP dashboard browser tests: no chromium binary on this machine (apt-get install chromium; .ci/run installs it)')
  t.pass('skipped: no chromium')
} else {
  const EXAMPLE = fileURLToPath(new URL('../examples/research-swarm.yaml', import.meta.url))
  const SCREENSHOT = fileURLToPath(new URL('../docs/dashboard.png', import.meta.url))

  t.before(async () => {
    await ensureDashboardBuilt()
  })

  t.test('start a swarm, open it, send a task: the output shows and the edge animates', async (t) => {
    const server = await startServer(t)
    copyFileSync(EXAMPLE, join(server.dir, 'research-swarm.yaml'))
    const browser = await openBrowser(t, chromium)
    const { page, scriptErrors } = await openPage(browser, `${server.http}/dashboard`)

    await page.waitForSelector('#connection[data-state="connected"]')
    await page.fill('#start-form input[name="config_path"]', 'research-swarm.yaml')
    await page.click('#start-form button[type="submit"]')
    const row = page.locator('tr[data-swarm="research-swarm"]')
    await row.waitFor()
    t.match(await row.innerText(), /running\s+in process\s+3/, 'the list shows its status, source and agent count')

    await row.locator('a.open-swarm').click()
    await page.waitForFunction(() => window.genswarmsDashboard?.graph?.cy.nodes('[kind = "agent"]').length === 3)
    t.equal(await page.evaluate(() => window.genswarmsDashboard.graph.cy.edges().length), 4, 'the graph has the four edges of the topology')

    await page.waitForFunction(() => document.querySelectorAll('#task-form select[name="agent"] option').length === 3)
    await page.selectOption('#task-form select[name="agent"]', 'researcher')
    await page.fill('#task-form textarea[name="task"]', 'Research the history of the transistor')
    await page.click('#task-form button[type="submit"]')
    await page.waitForSelector('#task-result:text("sent to researcher")')

    // The routed message flashes its edge and counts on it, as the push arrives.
    await page.waitForFunction(() => (window.genswarmsDashboard.graph.cy.getElementById('researcher->writer').data('routed')) > 0)
    t.pass('the researcher → writer edge animated')
    const output = page.locator('#timeline .timeline-item.output', { hasText: 'Applied the review notes' })
    await output.waitFor()
    t.match(await output.innerText(), /writer/, 'the writer\'s last output is in the conversation')
    t.ok(await page.locator('#timeline .timeline-item.routed', { hasText: 'reviewer → writer' }).count(), 'routed messages are in the conversation too')
    t.ok(await page.locator('#events .event-item[data-event-type="agent_output"]').count(), 'the event stream shows the outputs')
    t.ok(await page.locator('#logs .log-item').count(), 'the log tail shows entries')

    const shot = await page.screenshot({ fullPage: true })
    t.ok(shot.length > 10_000, 'a screenshot was taken')
    // The README shows docs/dashboard.png: written when missing or asked for, so a test run leaves the tree clean.
    if (!existsSync(SCREENSHOT) || process.env.GENSWARMS_UPDATE_SCREENSHOT === '1') writeFileSync(SCREENSHOT, shot)
    t.same(scriptErrors, [], 'no script errors in the page')
  })

  t.test('under a prefix with a token: asks for it, says when it is wrong, and catches up after a dropped connection', async (t) => {
    const token = 'dashboard-test-token'
    const server = await startServer(t, { prefix: '/ops/genswarms', apiToken: token })
    const base = `${server.http}/ops/genswarms`
    const config = parse(readFileSync(EXAMPLE, 'utf8'))
    const started = await fetch(`${base}/api/swarms`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ config }),
    })
    t.equal(started.status, 201, 'the swarm started over REST')
    // Every upgraded connection, so the test can cut them as a network failure would.
    const upgraded: Duplex[] = []
    server.app.server.on('upgrade', (_req, socket: Duplex) => void upgraded.push(socket))

    const browser = await openBrowser(t, chromium)
    const { page, scriptErrors } = await openPage(browser, `${base}/dashboard`)
    await page.waitForSelector('#token-panel')
    await page.fill('#token-form input[name="token"]', 'not-the-token')
    await page.click('#token-form button[type="submit"]')
    await page.waitForSelector('#token-panel .token-reason:text("refused that token")')
    t.pass('a wrong token is refused with a clear message')
    await page.fill('#token-form input[name="token"]', token)
    await page.click('#token-form button[type="submit"]')
    await page.locator('tr[data-swarm="research-swarm"] a.open-swarm').click()
    await page.waitForSelector('#connection[data-state="connected"]')
    await page.waitForFunction(() => window.genswarmsDashboard?.graph?.cy.nodes('[kind = "agent"]').length === 3)
    t.equal(await page.evaluate(() => sessionStorage.getItem('genswarms.token')), token, 'the token is kept for the tab')

    await page.selectOption('#task-form select[name="agent"]', 'researcher')
    await page.fill('#task-form textarea[name="task"]', 'first task, before the network drops')
    await page.click('#task-form button[type="submit"]')
    await page.locator('#timeline .timeline-item.output', { hasText: 'Applied the review notes' }).waitFor()

    // The network goes away: the page says so, and what happens meanwhile is not lost.
    await page.context().setOffline(true)
    for (const socket of upgraded.splice(0)) socket.destroy()
    await page.waitForSelector('#connection[data-state="reconnecting"]')
    t.pass('the page shows that it is reconnecting')
    const sent = await fetch(`${base}/api/swarms/research-swarm/agents/reviewer/task`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ task: 'ready for review while you were away' }),
    })
    t.equal(sent.status, 200, 'a task sent while the page is away')
    await waitForEvents(server, 'reviewer', 'agent_output', 2)
    await page.context().setOffline(false)
    await page.waitForSelector('#connection[data-state="connected"]')
    await page.locator('#timeline .timeline-item.output', { hasText: 'Reading draft 1' }).nth(1).waitFor()
    const ids = await page.$$eval('#events .event-item', (items) => items.map((i) => Number((i.textContent ?? '').match(/^#(\d+)/)?.[1])))
    t.same(ids, [...new Set(ids)].sort((a, b) => a - b), 'after the catch-up the event stream holds each event once, in order')
    t.same(scriptErrors, [], 'no script errors in the page')
  })

  t.test('the swarm list and agent controls act through the API', async (t) => {
    const server = await startServer(t)
    copyFileSync(EXAMPLE, join(server.dir, 'research-swarm.yaml'))
    const browser = await openBrowser(t, chromium)
    const { page, scriptErrors } = await openPage(browser, `${server.http}/dashboard`)
    page.on('dialog', (dialog) => void dialog.accept())
    await page.fill('#start-form input[name="config_path"]', 'research-swarm.yaml')
    await page.click('#start-form button[type="submit"]')
    await page.locator('tr[data-swarm="research-swarm"] a.open-swarm').click()
    await page.waitForFunction(() => window.genswarmsDashboard?.graph?.cy.nodes('[kind = "agent"]').length === 3)

    await page.selectOption('#scale-form select[name="base"]', 'reviewer')
    await page.fill('#scale-form input[name="count"]', '2')
    await page.click('#scale-form button[type="submit"]')
    await page.waitForFunction(() => window.genswarmsDashboard.graph.cy.getElementById('reviewer_2').nonempty())
    t.pass('scaling adds the members to the graph')

    await page.fill('#add-form input[name="name"]', 'editor')
    await page.fill('#add-form input[name="incoming"]', 'writer')
    await page.click('#add-form button[type="submit"]')
    await page.waitForFunction(() => window.genswarmsDashboard.graph.cy.getElementById('writer->editor').nonempty())
    t.pass('an added agent appears with its edge')

    await page.waitForFunction(() => [...document.querySelectorAll('#remove-form option')].some((o: any) => o.value === 'editor'))
    await page.selectOption('#remove-form select[name="remove"]', 'editor')
    await page.click('#remove-form button[type="submit"]')
    await page.waitForFunction(() => window.genswarmsDashboard.graph.cy.getElementById('editor').empty())
    t.pass('a removed agent leaves the graph')
    const status = await (await fetch(`${server.http}/api/swarms/research-swarm`)).json() as { agents: { name: string }[] }
    t.same(status.agents.map((a) => a.name).sort(), ['researcher', 'reviewer', 'reviewer_1', 'reviewer_2', 'writer'], 'the server agrees')

    await page.click('header h1 a')
    const row = page.locator('tr[data-swarm="research-swarm"]')
    await row.locator('button', { hasText: 'Stop' }).click()
    await page.waitForSelector('tr[data-swarm="research-swarm"] td.status-stopped')
    await row.locator('button', { hasText: 'Start again' }).click()
    await page.waitForSelector('tr[data-swarm="research-swarm"] td.status-running')
    await row.locator('button', { hasText: 'Remove' }).click()
    await page.waitForSelector('#swarm-rows td:text("No swarms yet")')
    t.same(((await (await fetch(`${server.http}/api/swarms`)).json()) as { swarms: unknown[] }).swarms, [], 'stop, start again and remove went through')
    t.same(scriptErrors, [], 'no script errors in the page')
  })

  t.test('an LLM agent: its answer streams into the conversation and its tokens are counted', async (t) => {
    process.env[KEY_VAR] = SECRET_KEY
    const fake = await startFakeOpenAI(t)
    fake.replyWhen(() => true, { text: ['Owls ', 'hunt ', 'at night.'], usage: { prompt: 12, completion: 5 } })
    const server = await startServer(t)
    const backend = { type: 'openai', model: 'fake-model', base_url: fake.url, api_key_env: KEY_VAR, max_retries: 0 }
    const created = await fetch(`${server.http}/api/swarms`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config: { name: 'owls', agents: [{ name: 'writer', backend }] } }),
    })
    t.equal(created.status, 201)
    const browser = await openBrowser(t, chromium)
    const { page, scriptErrors } = await openPage(browser, `${server.http}/dashboard#/swarm/owls`)
    await page.waitForFunction(() => window.genswarmsDashboard?.graph?.cy.nodes().length === 1)
    await page.waitForSelector('#connection[data-state="connected"]')
    await page.fill('#task-form textarea[name="task"]', 'Why do owls hunt at night?')
    await page.click('#task-form button[type="submit"]')
    await page.locator('#timeline .timeline-item.output', { hasText: 'Owls hunt at night.' }).waitFor()
    t.ok(Number(await page.getAttribute('#timeline', 'data-deltas')) >= 3, 'the answer arrived as streamed deltas first')
    await page.waitForSelector('#token-rows tr[data-agent="writer"] td:nth-child(5):text("17")')
    t.pass('token usage shows the turn\'s 12 + 5 tokens')
    t.same(scriptErrors, [], 'no script errors in the page')
  })
}

/** Until the swarm has stored `count` events of this type from this agent. */
async function waitForEvents(server: TestServer, agent: string, type: string, count: number): Promise<void> {
  await until(() => server.app.eventStore.query({ swarm: 'research-swarm', agent, event_type: type, limit: 10 }).length >= count, `${count} × ${agent} ${type}`, 15_000)
}
