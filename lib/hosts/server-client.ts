import { errors } from '../errors.js'

export interface HttpAnswer<T = unknown> {
  status: number
  body: T
}

/** The REST API of a running server, with the API token when one is set. */
export class ServerClient {
  readonly url: string
  readonly #token: string | null

  constructor(url: string, token: string | null) {
    this.url = url.replace(/\/+$/, '')
    this.#token = token
  }

  /** Whether anything answers HTTP at the URL within `timeoutMs` (even a refusal counts). */
  async answers(timeoutMs = 1000): Promise<boolean> {
    try {
      await fetch(`${this.url}/`, { headers: this.#headers(), signal: AbortSignal.timeout(timeoutMs) })
      return true
    } catch {
      return false
    }
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<HttpAnswer<T>> {
    let response: Response
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { ...this.#headers(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (err) {
      throw errors.serverUnavailable(this.url, `did not answer ${method} ${path}: ${(err as Error).message}`)
    }
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : {}
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: response.status, body: parsed as T }
  }

  /** The server's own error text for a failed answer. */
  static errorText(answer: HttpAnswer): string {
    const body = answer.body as { error?: unknown; message?: unknown; errors?: unknown } | string
    if (typeof body === 'string') return body || `HTTP ${answer.status}`
    if (Array.isArray(body.errors)) return body.errors.join('; ')
    return String(body.error ?? body.message ?? `HTTP ${answer.status}`)
  }

  #headers(): Record<string, string> {
    return this.#token ? { authorization: `Bearer ${this.#token}` } : {}
  }
}
