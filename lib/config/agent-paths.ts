import { statSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import type { AgentSpec, SwarmConfig } from './types.js'

/**
 * A local agent's command names files relative to its config file, so that a
 * swarm runs the same whichever directory it is started from: each relative
 * token of `command` that names a file next to the config becomes that file's
 * absolute path. A token that names no file there is left as written and
 * resolves against the process's working directory as before (configs written
 * for the project root keep working). An agent with its own `cwd` chose its
 * base itself and is left alone; so is the program name without a slash,
 * which is looked up on PATH.
 */
export function resolveAgentPaths(config: SwarmConfig, configPath: string | null): SwarmConfig {
  if (!configPath) return config
  const base = dirname(resolve(configPath))
  let changed = false
  const agents = config.agents.map((agent) => {
    const next = resolveAgent(agent, base)
    if (next !== agent) changed = true
    return next
  })
  return changed ? { ...config, agents } : config
}

function resolveAgent(agent: AgentSpec, base: string): AgentSpec {
  const backend = agent.backend
  if (backend.type !== 'local' || backend.cwd !== undefined) return agent
  const command = backend.command.map((token, i) => (candidate(token, i) && isFile(resolve(base, token)) ? resolve(base, token) : token))
  if (command.every((token, i) => token === backend.command[i])) return agent
  return { ...agent, backend: { ...backend, command } }
}

function candidate(token: string, index: number): boolean {
  if (token === '' || isAbsolute(token) || token.startsWith('-') || token.includes('{')) return false
  return index > 0 || token.includes('/')
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
