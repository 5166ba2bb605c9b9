import { dirname, join } from 'node:path'

/**
 * Files a daemon or server started by the CLI keeps beside the database, so
 * one state directory (`.genswarms/` by default) holds the database, the logs
 * and the server's pid file, and every command pointed at the same database
 * finds them.
 */
export function stateDir(dbPath: string): string {
  return dirname(dbPath)
}

export function daemonLogPath(dbPath: string, swarm: string): string {
  return join(stateDir(dbPath), 'logs', `${swarm}.log`)
}

export function serverLogPath(dbPath: string): string {
  return join(stateDir(dbPath), 'logs', 'server.log')
}

export function serverPidPath(dbPath: string): string {
  return join(stateDir(dbPath), 'server.pid')
}
