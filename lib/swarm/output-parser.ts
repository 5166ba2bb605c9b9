/** A message an agent's output asks the router to deliver (output parsing: docs/architecture.md). */
export type Directive = { kind: 'direct'; to: string; content: string } | { kind: 'broadcast'; content: string }

const BLOCK_RE = /<<SWARM_MSG:(?:TO=([A-Za-z_][A-Za-z0-9_]*)|(BROADCAST)):START>>([\s\S]*?)<<SWARM_MSG:END>>/g
const LINE_RE = /^\s*@([A-Za-z_][A-Za-z0-9_]*):(.*)$/

/**
 * Marker blocks (`<<SWARM_MSG:TO=name:START>>…<<SWARM_MSG:END>>`,
 * `<<SWARM_MSG:BROADCAST:START>>…`) may span lines; outside them each line
 * `@name: text` sends to `name` and `@all: text` broadcasts. Content is
 * trimmed, empty messages are ignored, and directives keep their order.
 */
export function parseOutput(text: string): Directive[] {
  const directives: Directive[] = []
  const add = (to: string, content: string) => {
    const body = content.trim()
    if (!body) return
    directives.push(to === 'all' ? { kind: 'broadcast', content: body } : { kind: 'direct', to, content: body })
  }
  const scanLines = (chunk: string) => {
    for (const line of chunk.split(/\r?\n/)) {
      const m = LINE_RE.exec(line)
      if (m) add(m[1]!, m[2]!)
    }
  }
  let last = 0
  for (const m of text.matchAll(BLOCK_RE)) {
    scanLines(text.slice(last, m.index))
    add(m[2] ? 'all' : m[1]!, m[3]!)
    last = m.index + m[0].length
  }
  scanLines(text.slice(last))
  return directives
}
