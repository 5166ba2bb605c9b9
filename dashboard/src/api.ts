import { apiBase } from './base.js'
import { storedToken } from './auth.js'

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string | null, message: string) {
    super(message)
  }
}

/** Called on a 401, so the page can ask for the token again. */
let onUnauthorized: (err: ApiError) => void = () => {}
export function setUnauthorizedHandler(handler: (err: ApiError) => void): void {
  onUnauthorized = handler
}

/** Our REST API, with the tab's token when it has one; errors carry the API's `{error, code}`. */
export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {}
  const token = storedToken()
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(`${apiBase()}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) })
  } catch (cause) {
    throw new ApiError(0, null, `the server did not answer (${(cause as Error).message})`)
  }
  const text = await res.text()
  let data: any = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = null
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data?.code ?? null, data?.error ?? (Array.isArray(data?.errors) ? data.errors.join('; ') : `${res.status} ${res.statusText}`))
    if (res.status === 401) onUnauthorized(err)
    throw err
  }
  return data as T
}

export const swarmPath = (name: string) => `/api/swarms/${encodeURIComponent(name)}`
