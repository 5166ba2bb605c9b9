/**
 * A scaled group: `genswarms scale <swarm> <base> <n>` adds clones named
 * `<base>_1 … <base>_n` next to `<base>` (lib/swarm/mutations.ts). Work
 * addressed to the base name (a task, or a message along an edge) is spread
 * round-robin over the base and its clones, so every member gets its share;
 * a member addressed by its own name gets exactly that. The members are found
 * by walking `_1, _2, …` while they exist, so a swarm that never scaled pays
 * one lookup per delivery.
 */
export class GroupSpread {
  readonly #next = new Map<string, number>()

  /** The member that takes the next piece of work addressed to `name`; `name` itself when it is no group. */
  pick(name: string, exists: (node: string) => boolean): string {
    if (!exists(`${name}_1`)) return name
    const members = exists(name) ? [name] : []
    for (let i = 1; exists(`${name}_${i}`); i++) members.push(`${name}_${i}`)
    const turn = this.#next.get(name) ?? 0
    this.#next.set(name, turn + 1)
    return members[turn % members.length]!
  }
}
