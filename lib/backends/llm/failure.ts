import type { FailureKind } from './provider.js'

export interface TurnFailure {
  message: string
  details: { provider: string; status: number | null; provider_message: string; base_url: string }
}

export interface FailureContext {
  provider: string
  baseURL: string
  keyVar: string
  timeoutMs: number
}

/** One readable line per failure, naming the provider, the HTTP status and the provider's own message. */
export function describeFailure(kind: FailureKind, c: FailureContext): TurnFailure {
  const details = (status: number | null, provider_message: string) => ({ provider: c.provider, status, provider_message, base_url: c.baseURL })
  switch (kind.kind) {
    case 'http':
      if (kind.status === 401 || kind.status === 403) {
        return { message: `${c.provider}: authentication failed for ${c.baseURL} (key from $${c.keyVar}): HTTP ${kind.status}: ${kind.message}`, details: details(kind.status, kind.message) }
      }
      return { message: `${c.provider} request failed: HTTP ${kind.status}: ${kind.message}`, details: details(kind.status, kind.message) }
    case 'timeout':
      return { message: `${c.provider} request to ${c.baseURL} timed out after ${c.timeoutMs} ms`, details: details(null, 'timeout') }
    case 'connection':
      return { message: `${c.provider} request failed: cannot reach ${c.baseURL}: ${kind.message}`, details: details(null, kind.message) }
    case 'aborted':
      return { message: `${c.provider} request aborted`, details: details(null, 'aborted') }
    case 'other':
      return { message: `${c.provider} turn failed: ${kind.message}`, details: details(null, kind.message) }
  }
}

/** The watchdog's verdict on a response that stopped sending. */
export function stallFailure(c: FailureContext): TurnFailure {
  const text = `stream stalled: no data for ${c.timeoutMs} ms`
  return { message: `${c.provider} ${text} from ${c.baseURL}`, details: { provider: c.provider, status: null, provider_message: text, base_url: c.baseURL } }
}
