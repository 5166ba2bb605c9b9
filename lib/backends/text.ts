import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { INPUT_PLACEHOLDER, type LocalBackendSpec } from '../config/types.js'
import { BoundedOutput } from './bounded-output.js'
import { findProgram } from './find-program.js'
import { agentEnv, DEFAULT_KILL_GRACE_MS, killTree, signalGroup } from './process-tree.js'
import type { AgentBackend, AgentIdentity, AgentInput, BackendHealth, BackendOutput } from './types.js'
import { skillsText } from '../skills/agent-skills.js'

/** Long enough for a slow model behind a CLI; a hung one still ends. */
export const DEFAULT_TEXT_TIMEOUT_MS = 600_000
export const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024

const preview = (text: string, n = 200) => (text.length > n ? `${text.slice(0, n)}…` : text)

interface Run {
  child: ChildProcess
  closed: Promise<void>
  /** set by stop: the run ends without reporting anything */
  cancelled: boolean
}

/**
 * `local` with `protocol: text`: wraps a prompt-in, answer-out program. Each
 * input runs the command once, in its own process group; its whole stdout at
 * exit is the turn's output, and the turn ends when it exits.
 */
export class TextBackend implements AgentBackend {
  readonly kind = 'local'
  readonly #spec: LocalBackendSpec
  readonly #identity: AgentIdentity
  #listener: (output: BackendOutput) => void = () => {}
  #started = false
  #run: Run | null = null
  /** runs chain on this, so inputs run one at a time in the order given */
  #queue: Promise<void> = Promise.resolve()
  /** bumped by stop, so inputs queued before it never run after it */
  #generation = 0

  constructor(spec: LocalBackendSpec, identity: AgentIdentity) {
    this.#spec = spec
    this.#identity = identity
  }

  onOutput(listener: (output: BackendOutput) => void): void {
    this.#listener = listener
  }

  /** No process lives between inputs, so starting only checks that the program can be found. */
  async start(): Promise<void> {
    const program = this.#spec.command[0]
    if (!program) throw new Error('empty command')
    const pathVar = this.#spec.env?.PATH ?? process.env.PATH ?? ''
    if (!(await findProgram(program, this.#spec.cwd, pathVar))) throw new Error(`cannot run ${program}: not found or not executable`)
    this.#started = true
  }

  sendInput(input: AgentInput): void {
    if (!this.#started) return
    const generation = this.#generation
    this.#queue = this.#queue.then(() => (generation === this.#generation ? this.#runOnce(input) : undefined))
  }

  health(): BackendHealth {
    if (!this.#started) return { alive: false }
    const pid = this.#run?.child.pid
    return pid ? { alive: true, pid } : { alive: true }
  }

  async stop(): Promise<void> {
    this.#started = false
    this.#generation++
    const run = this.#run
    this.#run = null
    if (!run || run.child.pid === undefined) return
    run.cancelled = true
    await killTree(run.child.pid, this.#grace(), run.closed)
  }

  #grace(): number {
    return this.#spec.kill_grace_ms ?? DEFAULT_KILL_GRACE_MS
  }

  /** Resolves once the turn has ended (the program is gone and the agent told). */
  #runOnce(input: AgentInput): Promise<void> {
    const [program, ...args] = this.#spec.command as [string, ...string[]]
    // argv items, never a shell string: the input cannot be interpreted by a shell.
    const asArgument = args.some((arg) => arg.includes(INPUT_PLACEHOLDER))
    const argv = asArgument ? args.map((arg) => arg.replaceAll(INPUT_PLACEHOLDER, input.content)) : args
    const child = spawn(program, argv, {
      cwd: this.#spec.cwd,
      env: agentEnv(this.#spec, this.#identity, { GENSWARMS_INPUT_TYPE: input.type, GENSWARMS_INPUT_FROM: input.from, ...skillsEnv(input) }),
      stdio: [asArgument ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    })
    const run: Run = { child, closed: new Promise((resolve) => child.once('close', () => resolve())), cancelled: false }
    this.#run = run

    const stdout = new BoundedOutput(this.#spec.max_output_bytes ?? DEFAULT_MAX_OUTPUT_BYTES)
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk))
    let lastStderr = ''
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.trim() !== '') lastStderr = preview(line)
      if (!run.cancelled) this.#listener({ type: 'stderr', line })
    })
    if (child.stdin) {
      child.stdin.on('error', () => {}) // EPIPE from a program that never reads its input
      child.stdin.end(input.content)
    }

    let timedOut = false
    const timeoutMs = this.#spec.timeout_ms ?? DEFAULT_TEXT_TIMEOUT_MS
    const timer = timeoutMs > 0 ? setTimeout(() => {
      timedOut = true
      if (child.pid !== undefined) void killTree(child.pid, this.#grace(), run.closed)
    }, timeoutMs) : null

    // A one-shot program's helpers must not outlive it, nor keep its stdout open and the turn with it.
    child.once('exit', () => child.pid !== undefined && signalGroup(child.pid, 'SIGKILL'))

    return new Promise((resolve) => {
      let done = false
      // A program that cannot be spawned reports `error` and then `close`; the turn ends once.
      const finish = (report: () => void) => {
        if (done) return
        done = true
        if (timer) clearTimeout(timer)
        if (this.#run === run) this.#run = null
        if (!run.cancelled) {
          report()
          this.#listener({ type: 'status', state: 'idle' })
        }
        resolve()
      }
      child.once('error', (err) => {
        if (child.pid !== undefined) return
        const reason = (err as NodeJS.ErrnoException).code ?? err.message
        finish(() => this.#failed(`cannot run ${program}: ${reason}`, { reason: 'spawn', error: reason }))
      })
      child.once('close', (code, signal) => finish(() => {
        if (stdout.truncated) this.#truncated(stdout)
        if (timedOut) {
          this.#failed(`${program} ran past timeout_ms (${timeoutMs} ms) and was killed`, { reason: 'timeout', timeout_ms: timeoutMs, stderr: lastStderr })
        } else if (code !== 0) {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
          this.#failed(`${program} ${how}`, { reason: 'exit', code, signal, stderr: lastStderr })
        } else {
          const content = stdout.text().trimEnd()
          if (content !== '') this.#listener({ type: 'output', content })
        }
      }))
    })
  }

  #failed(message: string, metadata: Record<string, unknown>): void {
    // The last stderr line usually says why; the error names it so nobody needs the debug events.
    const said = typeof metadata.stderr === 'string' && metadata.stderr !== '' ? `: ${preview(metadata.stderr)}` : ''
    this.#listener({ type: 'turn_error', message: `agent ${this.#identity.agent}: ${message}${said}`, metadata: { protocol: 'text', ...metadata } })
  }

  #truncated(stdout: BoundedOutput): void {
    const cap = this.#spec.max_output_bytes ?? DEFAULT_MAX_OUTPUT_BYTES
    this.#listener({
      type: 'warning',
      event_type: 'output_truncated',
      message: `agent ${this.#identity.agent}: output cut at max_output_bytes (${cap} of ${stdout.total} bytes)`,
      metadata: { protocol: 'text', max_output_bytes: cap, total_bytes: stdout.total },
    })
  }
}

/** Past this an environment variable risks E2BIG at spawn; such skills are left out of the environment. */
const MAX_SKILLS_ENV_CHARS = 64 * 1024

/** The skills this run is given, as one text (the same text an LLM backend gets from skillsText). */
function skillsEnv(input: AgentInput): Record<string, string> {
  const text = skillsText(input.skills)
  return text.length <= MAX_SKILLS_ENV_CHARS ? { GENSWARMS_SKILLS_TEXT: text } : {}
}

