import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { isPidAlive } from '../db/registry.js'
import { serverPidPath } from './paths.js'

/** What `genswarms up` records beside the database while its server runs. */
export interface ServerPid {
  pid: number
  url: string
  started_at: string
}

/** The recorded server if its process is alive; a stale file is ignored. */
export function readServerPid(dbPath: string): ServerPid | null {
  let parsed: Partial<ServerPid>
  try {
    parsed = JSON.parse(readFileSync(serverPidPath(dbPath), 'utf8')) as Partial<ServerPid>
  } catch {
    return null
  }
  if (typeof parsed.pid !== 'number' || typeof parsed.url !== 'string' || !isPidAlive(parsed.pid)) return null
  return { pid: parsed.pid, url: parsed.url, started_at: String(parsed.started_at ?? '') }
}

export function writeServerPid(dbPath: string, url: string): void {
  const path = serverPidPath(dbPath)
  mkdirSync(dirname(path), { recursive: true })
  const record: ServerPid = { pid: process.pid, url, started_at: new Date().toISOString() }
  writeFileSync(path, `${JSON.stringify(record)}\n`)
}

/** Removes the file if it still names `pid` (another server may have replaced it). */
export function removeServerPid(dbPath: string, pid: number = process.pid): void {
  const path = serverPidPath(dbPath)
  try {
    const recorded = (JSON.parse(readFileSync(path, 'utf8')) as Partial<ServerPid>).pid
    if (recorded === pid || (typeof recorded === 'number' && !isPidAlive(recorded))) rmSync(path, { force: true })
  } catch {
    rmSync(path, { force: true })
  }
}
