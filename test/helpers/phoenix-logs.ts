import { Writable } from 'node:stream'

export interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

/**
 * A pino configuration whose output lands in `lines`, parsed: pass `logger`
 * to startServer/buildServer and assert on what the server really logged.
 */
export function captureLogs(level = 'debug') {
  const lines: LogLine[] = []
  let partial = ''
  const stream = new Writable({
    write(chunk, _enc, done) {
      partial += chunk.toString()
      let nl: number
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl)
        partial = partial.slice(nl + 1)
        if (line.trim()) lines.push(JSON.parse(line) as LogLine)
      }
      done()
    },
  })
  return {
    logger: { level, stream },
    lines,
    /** pino levels: 40 warn, 50 error, 60 fatal */
    errors: () => lines.filter((l) => l.level >= 50),
  }
}
