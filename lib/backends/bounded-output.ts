/**
 * Collects a stream's bytes up to `cap` and counts the rest without keeping
 * it, so a program that prints without end costs a bounded amount of memory.
 */
export class BoundedOutput {
  readonly #cap: number
  readonly #chunks: Buffer[] = []
  #kept = 0
  #seen = 0

  constructor(cap: number) {
    this.#cap = cap
  }

  push(chunk: Buffer): void {
    this.#seen += chunk.length
    const room = this.#cap - this.#kept
    if (room <= 0) return
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk
    this.#chunks.push(part)
    this.#kept += part.length
  }

  /** bytes received in all, kept or not */
  get total(): number {
    return this.#seen
  }

  get truncated(): boolean {
    return this.#seen > this.#kept
  }

  /** The kept bytes as UTF-8; a character split by the cap is dropped rather than mangled. */
  text(): string {
    let bytes = Buffer.concat(this.#chunks, this.#kept)
    if (this.truncated) bytes = bytes.subarray(0, utf8Boundary(bytes))
    return bytes.toString('utf8')
  }
}

/** The length of `bytes` without a trailing, incomplete UTF-8 sequence. */
function utf8Boundary(bytes: Buffer): number {
  let start = bytes.length
  // Step back over at most three continuation bytes to the sequence's lead byte.
  while (start > 0 && bytes.length - start < 4 && (bytes[start - 1]! & 0xc0) === 0x80) start--
  if (start === 0) return bytes.length
  const lead = bytes[start - 1]!
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
  return bytes.length - (start - 1) >= needed ? bytes.length : start - 1
}
