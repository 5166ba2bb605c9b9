#!/usr/bin/env node
// Bundles the dashboard (dashboard/) into dist/dashboard: one script with the
// phoenix client and cytoscape inside, the page and its stylesheet. The
// plugin serves that folder as it is, so nothing is fetched from elsewhere.
//
//   node scripts/build-dashboard.mjs [outDir]     part of `npm run build`
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
export const DASHBOARD_DIR = join(root, 'dist', 'dashboard')
const STATIC_FILES = ['index.html', 'style.css']

/**
 * Builds into a private folder and renames each file into place, so a server
 * that serves `outDir` meanwhile, or a second build running at once (two test
 * files), never sees half a file or a missing one.
 */
export async function buildDashboard(outDir = DASHBOARD_DIR) {
  const { build } = await import('esbuild')
  const staging = `${outDir}.tmp-${process.pid}-${Date.now()}`
  mkdirSync(staging, { recursive: true })
  try {
    await build({
      entryPoints: [join(root, 'dashboard', 'src', 'main.ts')],
      outfile: join(staging, 'app.js'),
      bundle: true,
      format: 'esm',
      target: ['es2022'],
      platform: 'browser',
      minify: true,
      sourcemap: false,
      legalComments: 'linked',
      logLevel: 'warning',
    })
    for (const file of STATIC_FILES) copyFileSync(join(root, 'dashboard', file), join(staging, file))
    // File by file: each rename replaces its file at once, so the folder is never missing a file.
    mkdirSync(outDir, { recursive: true })
    for (const file of readdirSync(staging)) renameSync(join(staging, file), join(outDir, file))
    rmSync(staging, { recursive: true, force: true })
  } catch (err) {
    rmSync(staging, { recursive: true, force: true })
    throw err
  }
  return outDir
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildDashboard(process.argv[2] ? resolve(process.argv[2]) : DASHBOARD_DIR)
  console.log(`dashboard built into ${out}`)
}
