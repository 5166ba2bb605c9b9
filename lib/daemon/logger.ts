import pino, { type Logger } from 'pino'

export type { Logger }

/** JSON lines on stdout, which a detached daemon or server has redirected to its log file. */
export function processLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level })
}
