/**
 * Where the API and the socket are, read from the page's own URL: the page is
 * served at `<prefix>/dashboard`, so whatever precedes `/dashboard` is the
 * plugin's prefix, on whatever host and port the browser used.
 */
export function apiBase(loc: Location = window.location): string {
  const path = loc.pathname.replace(/\/dashboard\/?$/, '')
  return `${loc.origin}${path}`
}

export function socketUrl(loc: Location = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${loc.host}${loc.pathname.replace(/\/dashboard\/?$/, '')}/swarm`
}
