import pc from 'picocolors'

export type Colors = ReturnType<typeof pc.createColors>

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
}

/** Colours only on a terminal, and never with NO_COLOR or --no-color; FORCE_COLOR turns them on. */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, allowed = true): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
  const enabled = allowed && !('NO_COLOR' in env) && (forced || stream.isTTY === true)
  return pc.createColors(enabled)
}

/** Results on stdout, diagnostics and progress on stderr, so stdout stays data. */
export class Output {
  readonly out: Colors
  readonly err: Colors
  readonly #streams: OutputStreams

  constructor(streams: OutputStreams, colorAllowed = true) {
    this.#streams = streams
    this.out = colorsFor(streams.stdout, streams.env, colorAllowed)
    this.err = colorsFor(streams.stderr, streams.env, colorAllowed)
  }

  get interactive(): boolean {
    return this.#streams.stderr.isTTY === true
  }

  /** Whether results go to a person: stdout is a terminal (a foreground server then logs for reading, not for machines). */
  get stdoutIsTerminal(): boolean {
    return this.#streams.stdout.isTTY === true
  }

  line(text = ''): void {
    this.#streams.stdout.write(`${text}\n`)
  }

  json(value: unknown): void {
    this.#streams.stdout.write(`${JSON.stringify(value)}\n`)
  }

  note(text: string): void {
    this.#streams.stderr.write(`${text}\n`)
  }

  warn(text: string): void {
    this.#streams.stderr.write(`${this.err.yellow('warning:')} ${text}\n`)
  }

  error(text: string): void {
    this.#streams.stderr.write(`${this.err.red(`error: ${text}`)}\n`)
  }

  /** A spinner with a label on a terminal; nothing at all otherwise. */
  progress(label: string): Progress {
    if (!this.interactive) return { update() {}, done() {} }
    const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
    const stderr = this.#streams.stderr
    let text = label
    let i = 0
    const draw = () => stderr.write(`\r\x1b[2K${this.err.cyan(frames[i++ % frames.length]!)} ${text}`)
    draw()
    const timer = setInterval(draw, 80)
    return {
      update(next: string) {
        text = next
      },
      done() {
        clearInterval(timer)
        stderr.write('\r\x1b[2K')
      },
    }
  }
}

export interface Progress {
  update(label: string): void
  done(): void
}

/** Left-aligned columns; colour codes do not count towards the width. */
export function table(rows: string[][], gap = 2): string[] {
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))))
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visible(cell) + gap))).join('').trimEnd(),
  )
}
