import type { Socket } from 'phoenix'
import { api, ApiError, setUnauthorizedHandler } from './api.js'
import { askForToken, forgetToken, storedToken } from './auth.js'
import { openSocket } from './connection.js'
import { notice } from './dom.js'
import { SwarmList } from './swarm-list.js'
import { SwarmView } from './swarm-view.js'

/**
 * The dashboard: `#/` lists the swarms, `#/swarm/<name>` shows one. It is a
 * client of the public API only: REST for lists and changes, the socket for
 * everything live.
 */
const main = document.getElementById('main')!
const crumb = document.getElementById('crumb')!
let socket: Socket | null = null
let current: { stop(): void } | null = null

async function signIn(): Promise<void> {
  let reason = 'This server needs its API token (GENSWARMS_API_TOKEN).'
  for (;;) {
    try {
      await api('GET', '/api/swarms')
      return
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) {
        notice(`cannot reach the API: ${(err as Error).message}`)
        throw err
      }
      if (storedToken()) reason = 'The server refused that token (401 invalid API token). Check GENSWARMS_API_TOKEN and enter it again.'
      forgetToken()
      notice(null)
      await askForToken(main, reason)
    }
  }
}

function route(): void {
  current?.stop()
  current = null
  notice(null)
  const match = /^#\/swarm\/(.+)$/.exec(window.location.hash)
  if (match) {
    const name = decodeURIComponent(match[1]!)
    crumb.textContent = `/ ${name}`
    current = new SwarmView(main, socket!, name)
  } else {
    crumb.textContent = ''
    current = new SwarmList(main)
  }
}

async function start(): Promise<void> {
  await signIn()
  setUnauthorizedHandler(() => {
    // A token that stopped working (the server restarted with another): ask again.
    current?.stop()
    current = null
    void signIn().then(route)
  })
  socket = openSocket()
  window.addEventListener('hashchange', route)
  route()
}

void start()
