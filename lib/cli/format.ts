import type { SwarmEvent } from '../events/types.js'
import type { Colors } from './output.js'

const LEVEL_WIDTH = 7

function levelLabel(level: string, c: Colors): string {
  const label = level.toUpperCase().padEnd(LEVEL_WIDTH)
  if (level === 'error') return c.red(label)
  if (level === 'warning') return c.yellow(label)
  if (level === 'debug') return c.dim(label)
  return c.green(label)
}

/** `time LEVEL swarm/agent event_type message`, continuation lines indented under the message. */
export function formatEvent(e: SwarmEvent, c: Colors): string {
  const where = [e.swarm ?? '-', e.agent].filter(Boolean).join('/')
  const head = `${c.dim(e.timestamp)} ${levelLabel(e.level, c)} ${c.cyan(where)} ${c.bold(e.event_type)}`
  const [first = '', ...rest] = e.message.split('\n')
  return [`${head} ${first}`, ...rest.map((line) => `    ${line}`)].join('\n')
}

export function formatStatus(status: string, c: Colors): string {
  if (status === 'running') return c.green(status)
  if (status === 'crashed') return c.red(status)
  if (status === 'paused') return c.yellow(status)
  return c.dim(status)
}
