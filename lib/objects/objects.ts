import type { ObjectSpec } from '../config/types.js'
import { loadHandler } from './loader.js'
import { ObjectRuntime } from './runtime.js'
import { DEFAULT_OBJECT_TIMEOUT_MS, type ObjectAnswer, type ObjectHost, type ObjectModule, type ObjectStatus } from './types.js'

/** What happened to a message for an object. */
export type ObjectDelivery = 'recorded' | 'accepted' | 'refused'

const sameSettings = (a: ObjectSpec, b: ObjectSpec) => JSON.stringify([a.config, a.timeout_ms]) === JSON.stringify([b.config, b.timeout_ms])

/**
 * The objects of one swarm. An object with a `handler` has a runtime; one
 * without only records the messages it receives, as objects always did.
 */
export class SwarmObjects {
  readonly #specs = new Map<string, ObjectSpec>()
  readonly #runtimes = new Map<string, ObjectRuntime>()
  readonly #recorded = new Map<string, number>()
  readonly #host: ObjectHost
  readonly #cwd: string

  constructor(specs: ObjectSpec[], modules: Map<string, ObjectModule>, host: ObjectHost, cwd: string) {
    this.#host = host
    this.#cwd = cwd
    for (const spec of specs) this.#add(spec, modules.get(spec.name) ?? null)
  }

  has(name: string): boolean {
    return this.#specs.has(name)
  }

  names(): string[] {
    return [...this.#specs.keys()]
  }

  /** Runs every `init`; resolves when each has run or failed. */
  async start(): Promise<void> {
    await Promise.all([...this.#runtimes.values()].map((r) => r.start()))
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#runtimes.values()].map((r) => r.stop()))
  }

  deliver(from: string, to: string, content: string): ObjectDelivery {
    const runtime = this.#runtimes.get(to)
    if (runtime) return runtime.deliver(from, content) ? 'accepted' : 'refused'
    this.#recorded.set(to, (this.#recorded.get(to) ?? 0) + 1)
    return 'recorded'
  }

  /** Whether `name` has a handler, so can answer an ask. */
  answers(name: string): boolean {
    return this.#runtimes.has(name)
  }

  /** Asks object `to`, which must answer (see `answers`); `answer` is called exactly once. */
  ask(from: string, to: string, content: string, answer: (outcome: ObjectAnswer) => void): void {
    const runtime = this.#runtimes.get(to)
    if (!runtime) return answer({ ok: false, error: `object ${to} has no handler to answer with` })
    runtime.ask(from, content, answer)
  }

  status(): ObjectStatus[] {
    return [...this.#specs.values()].map((spec) => this.#runtimes.get(spec.name)?.status() ?? {
      name: spec.name,
      type: spec.type,
      status: 'running',
      handler: null,
      interface: null,
      config: spec.config,
      timeout_ms: spec.timeout_ms ?? DEFAULT_OBJECT_TIMEOUT_MS,
      message_count: this.#recorded.get(spec.name) ?? 0,
      last_error: null,
      timers: [],
    })
  }

  /**
   * Brings the objects to `next`: removed ones stop, added ones load and
   * start, and one whose config or time limit changed is reconfigured.
   */
  async reconfigure(next: ObjectSpec[], op: string): Promise<{ added: string[]; removed: string[] }> {
    const wanted = new Map(next.map((o) => [o.name, o]))
    const removed = [...this.#specs.keys()].filter((name) => !wanted.has(name))
    for (const name of removed) {
      const runtime = this.#runtimes.get(name)
      this.#specs.delete(name)
      this.#runtimes.delete(name)
      this.#recorded.delete(name)
      await runtime?.stop()
      this.#host.objectEvent({ event_type: 'object_removed', object: name, message: `object ${name} removed`, metadata: { op } })
    }
    const added: string[] = []
    for (const spec of next) {
      const current = this.#specs.get(spec.name)
      if (!current) {
        const module = spec.handler !== undefined ? await loadHandler(spec, this.#cwd) : null
        const runtime = this.#add(spec, module)
        added.push(spec.name)
        this.#host.objectEvent({ event_type: 'object_added', object: spec.name, message: `object ${spec.name} added`, metadata: { op, handler: spec.handler ?? null } })
        await runtime?.start()
      } else if (!sameSettings(current, spec)) {
        this.#specs.set(spec.name, spec)
        await this.#runtimes.get(spec.name)?.configure(spec)
      }
    }
    return { added, removed }
  }

  #add(spec: ObjectSpec, module: ObjectModule | null): ObjectRuntime | null {
    this.#specs.set(spec.name, spec)
    if (!module) return null
    const runtime = new ObjectRuntime(spec, module, this.#host)
    this.#runtimes.set(spec.name, runtime)
    return runtime
  }
}
