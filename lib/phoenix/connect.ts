import { serializerFor, type Serializer } from './serializer.js'

export interface ConnectInfo {
  /** the vsn the client asked for, or null when it sent none (V1) */
  vsn: string | null
  serializer: Serializer
  /** every other query parameter; a repeated key keeps its last value */
  params: Record<string, string>
}

/**
 * Reads the connect request URL (`/swarm/websocket?vsn=2.0.0&token=...`,
 * absolute or path-only). Call it before the upgrade to refuse an unknown
 * vsn with an HTTP 400.
 * @throws ProtocolError with code ProtocolErrorCode.unsupportedVsn
 */
export function parseConnectUrl(url: string): ConnectInfo {
  const query = new URL(url, 'ws://localhost').searchParams
  const vsn = query.get('vsn')
  const serializer = serializerFor(vsn)
  // No prototype: a query key such as `constructor` or `__proto__` is then just a key.
  const params = Object.create(null) as Record<string, string>
  for (const [key, value] of query) {
    if (key !== 'vsn') params[key] = value
  }
  return { vsn, serializer, params }
}
