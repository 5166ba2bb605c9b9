/** A stored event as the socket's `event` push and subscribe replies carry it (docs/websocket.md). */
export interface SwarmEvent {
  id: number
  timestamp: string
  level: 'debug' | 'info' | 'warning' | 'error'
  category?: string
  swarm?: string
  agent: string | null
  event_type: string
  message: string
  metadata: Record<string, any>
}

export interface Routing {
  from: string
  to: string | string[]
  type: string
  content_preview?: string
}
