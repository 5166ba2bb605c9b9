import type { LlmBackendSpec } from '../../config/types.js'
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from './backend.js'
import type { Endpoint } from './endpoint.js'
import { providerMessage, type FailureKind } from './provider.js'

/** What both official clients take from a backend spec: the same keys, the same defaults. */
export function sdkClientOptions(spec: LlmBackendSpec, endpoint: Endpoint) {
  return {
    apiKey: endpoint.apiKey,
    baseURL: endpoint.baseURL,
    timeout: spec.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    maxRetries: spec.max_retries ?? DEFAULT_MAX_RETRIES,
    // The SDK's own logging would bypass ours; failures reach the swarm as events.
    logLevel: 'off' as const,
  }
}

type ErrorClass = abstract new (...args: never[]) => Error

/** The error classes both SDKs export under the same names. */
export interface SdkErrorClasses {
  APIUserAbortError: ErrorClass
  APIConnectionTimeoutError: ErrorClass
  APIConnectionError: ErrorClass
  APIError: ErrorClass
}

/**
 * One classification for both clients; `body` picks the provider's error
 * document out of an APIError (the two SDKs nest it differently).
 */
export function classifySdkError(sdk: SdkErrorClasses, err: unknown, body: (error: unknown) => unknown): FailureKind {
  if (err instanceof sdk.APIUserAbortError) return { kind: 'aborted' }
  if (err instanceof sdk.APIConnectionTimeoutError) return { kind: 'timeout' }
  if (err instanceof sdk.APIConnectionError) return { kind: 'connection', message: err.cause instanceof Error ? err.cause.message : err.message }
  if (err instanceof sdk.APIError) {
    const { status, error } = err as Error & { status?: unknown; error?: unknown }
    if (typeof status === 'number') return { kind: 'http', status, message: providerMessage(body(error), err.message) }
  }
  return { kind: 'other', message: err instanceof Error ? err.message : String(err) }
}
