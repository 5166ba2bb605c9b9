import type { AgentInput } from '../types.js'

export interface PromptIdentity {
  agent: string
  swarm: string
  targets: string[]
}

/**
 * Skills first (what the agent is for), then the preamble (where it sits):
 * the targets are read each turn, since the topology can change at runtime.
 */
export function systemPrompt(skills: string[], who: PromptIdentity): string {
  return [...skills.map((s) => s.trim()).filter(Boolean), preamble(who)].join('\n\n')
}

export function preamble({ agent, swarm, targets }: PromptIdentity): string {
  const reach = targets.length
    ? [
        `You can send messages to: ${targets.join(', ')}.`,
        'To send one, call the tool send_message with {"to": <name>, "content": <text>}; to send to all of them, call broadcast with {"content": <text>}.',
        'A line "@name: text" in your answer (or "@all: text") does the same, for models without tools.',
      ]
    : ['You have no outgoing connections: nobody receives messages you send, so just answer.']
  return [
    `You are the agent "${agent}" in the swarm "${swarm}".`,
    ...reach,
    'Inputs arrive as user messages that start with "[task from <sender>]" or "[message from <sender>]".',
  ].join('\n')
}

/** The user message a task or routed message becomes; the tag names the sender so the model can answer them. */
export function inputMessage(input: AgentInput): string {
  return `[${input.type} from ${input.from}]\n${input.content}`
}
