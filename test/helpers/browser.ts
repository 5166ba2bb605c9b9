import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { Test } from 'tap'
import { buildDashboard, DASHBOARD_DIR } from '../../scripts/build-dashboard.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Debian's chromium (what .ci/run installs), or GENSWARMS_CHROMIUM; null when the machine has none. */
export function chromiumPath(): string | null {
  if (process.env.GENSWARMS_CHROMIUM) return process.env.GENSWARMS_CHROMIUM
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim()
      if (path) return path
    } catch {
      // not on PATH
    }
  }
  return null
}

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }
  return newest
}

/**
 * The suite runs from the TypeScript sources, and the plugin serves
 * dist/dashboard: build it with the package's own build script when it is
 * missing or older than the dashboard's sources.
 */
export async function ensureDashboardBuilt(): Promise<string> {
  const bundle = join(DASHBOARD_DIR, 'app.js')
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource(join(ROOT, 'dashboard'))) await buildDashboard()
  return DASHBOARD_DIR
}

/** Headless chromium through playwright-core; closed when the test ends. */
export async function openBrowser(t: Test, executablePath: string): Promise<Browser> {
  // --no-sandbox: the suite runs as root in CI, where chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
  t.teardown(() => browser.close())
  return browser
}

/** A page, and the uncaught script errors it has had so far (a test asserts there are none). */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; scriptErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  const page = await context.newPage()
  const scriptErrors: string[] = []
  page.on('pageerror', (err) => scriptErrors.push(err.message))
  await page.goto(url)
  return { page, scriptErrors }
}
