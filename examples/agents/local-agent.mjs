#!/usr/bin/env node
// A tiny agent program for the `local` backend: JSON lines in on stdin, JSON lines out on stdout.
//
// For each task or message it answers with an `output` line and ends its turn with
// `status idle`. Lines of the input that start with `@name:` are repeated in the
// output, so a task can make this agent talk to its neighbours. Input containing
// "crash" makes it exit with code 3; "stderr" makes it write a diagnostic line to
// stderr; "slow" makes it take 300 ms; "skills" makes it name the skills this input
// carried (each input line has the agent's current skills, docs/rest-api.md#skills).
import { createInterface } from 'node:readline'

const name = process.env.GENSWARMS_AGENT ?? 'agent'
const send = (message) => process.stdout.write(JSON.stringify(message) + '\n')

const rl = createInterface({ input: process.stdin })
rl.on('line', async (line) => {
  let input
  try {
    input = JSON.parse(line)
  } catch {
    process.stderr.write(`${name}: ignoring a line that is not JSON\n`)
    return
  }
  const content = String(input.content ?? '')
  if (content.includes('crash')) process.exit(3)
  if (content.includes('stderr')) process.stderr.write(`${name}: diagnostic for "${content}"\n`)
  if (content.includes('slow')) await new Promise((resolve) => setTimeout(resolve, 300))
  const relayed = content.split('\n').filter((l) => /^@[A-Za-z_]\w*:/.test(l.trim()))
  if (content.includes('skills')) relayed.push(`skills: ${(input.skills ?? []).map((s) => s.name).join(', ') || 'none'}`)
  send({ type: 'output', content: [`${name} got ${input.type} from ${input.from}: ${content.split('\n')[0]}`, ...relayed].join('\n') })
  send({ type: 'status', state: 'idle' })
})
rl.on('close', () => process.exit(0))
