import { Socket } from 'phoenix'
import { storedToken } from './auth.js'
import { socketUrl } from './base.js'

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting'

/**
 * The one socket of the page, through the official phoenix client. It
 * reconnects by itself (and rejoins its channels); the badge in the header
 * says when it is away, so nobody reads a frozen page as a quiet swarm.
 */
export function openSocket(): Socket {
  const badge = document.getElementById('connection')!
  let everOpened = false
  const show = (state: ConnectionState, text: string) => {
    badge.className = `conn conn-${state}`
    badge.textContent = text
    badge.dataset.state = state
  }
  // params is read on every (re)connect, so a token entered later is used.
  const socket = new Socket(socketUrl(), {
    params: () => {
      const token = storedToken()
      return token ? { token } : {}
    },
    reconnectAfterMs: (tries: number) => [100, 250, 500, 1000, 2000][tries - 1] ?? 3000,
  })
  socket.onOpen(() => {
    everOpened = true
    show('connected', 'live')
  })
  socket.onError(() => show(everOpened ? 'reconnecting' : 'connecting', everOpened ? 'reconnecting…' : 'connecting…'))
  socket.onClose(() => show(everOpened ? 'reconnecting' : 'connecting', everOpened ? 'reconnecting…' : 'connecting…'))
  show('connecting', 'connecting…')
  socket.connect()
  return socket
}
