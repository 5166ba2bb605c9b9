import type { ChannelDefinition } from './types.js'

/** `room:*` matches every topic starting with `room:`; anything else must match exactly. */
export function topicMatches(pattern: string, topic: string): boolean {
  return pattern.endsWith('*') ? topic.startsWith(pattern.slice(0, -1)) : topic === pattern
}

/** First definition whose pattern matches, in declaration order (as Phoenix's `channel` macros). */
export function findChannel(definitions: readonly ChannelDefinition[], topic: string): ChannelDefinition | undefined {
  return definitions.find((d) => topicMatches(d.pattern, topic))
}
