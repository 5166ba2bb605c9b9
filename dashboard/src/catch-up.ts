import type { Channel } from 'phoenix'

/**
 * Subscribes (or re-subscribes after a rejoin) and reads every stored event
 * after `since` page by page, as docs/websocket.md describes: the same
 * subscribe again with the last id while the reply says `more`. With `since`
 * null the reply is the last 50, as for a first visit.
 */
export function subscribeFrom(
  channel: Channel,
  event: 'subscribe_events' | 'subscribe_logs',
  payload: Record<string, unknown>,
  since: number | null,
  onEvents: (events: { id: number }[]) => void,
  onError: (reason: string) => void,
): void {
  const key = event === 'subscribe_events' ? 'recent_events' : 'recent_logs'
  channel.push(event, { ...payload, since })
    .receive('ok', (reply: Record<string, any>) => {
      const events = (reply[key] ?? []) as { id: number }[]
      onEvents(events)
      if (reply.more === true && events.length > 0) subscribeFrom(channel, event, payload, events.at(-1)!.id, onEvents, onError)
    })
    .receive('error', (reply: { reason?: string }) => onError(reply?.reason ?? 'refused'))
    .receive('timeout', () => onError('no answer'))
}
