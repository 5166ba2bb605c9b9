#!/usr/bin/env node
// A stand-in for a prompt-in, answer-out CLI (`llm`, `claude -p`, `ollama run`), for the `local`
// backend's `protocol: text`: it reads one prompt, prints one answer and exits.
//
// The prompt is its first argument when one is given (a `{input}` placeholder in the
// config), else all of stdin. The answer names the agent and the prompt's first line;
// with HANDOFF=name in its environment it ends with an `@name:` line, which the swarm
// routes to that agent. A prompt containing "fail" makes it exit with code 2.
import { readFileSync } from 'node:fs'

const prompt = process.argv.length > 2 ? process.argv[2] : readFileSync(0, 'utf8')
const agent = process.env.GENSWARMS_AGENT ?? 'agent'
const from = process.env.GENSWARMS_INPUT_FROM ?? 'someone'
const topic = prompt.trim().split('\n')[0] ?? ''

if (prompt.includes('fail')) {
  process.stderr.write(`${agent}: asked to fail\n`)
  process.exit(2)
}
const answer = [`${agent} read what ${from} sent: ${topic}`]
if (process.env.HANDOFF) answer.push(`@${process.env.HANDOFF}: ${agent}'s take on "${topic}"`)
process.stdout.write(answer.join('\n') + '\n')
