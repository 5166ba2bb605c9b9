import type { LlmBackendSpec } from '../../config/types.js'

export interface Endpoint {
  baseURL: string
  /** the variable the key comes from: named in messages, never its value */
  keyVar: string
  apiKey: string
}

const DEFAULTS = {
  openai: { urlVar: 'OPENAI_BASE_URL', url: 'https://api.openai.com/v1', keyVar: 'OPENAI_API_KEY' },
  anthropic: { urlVar: 'ANTHROPIC_BASE_URL', url: 'https://api.anthropic.com', keyVar: 'ANTHROPIC_API_KEY' },
} as const

/**
 * Where requests go and with which key, read when the agent starts. A
 * variable named explicitly must be set; the default one may be missing, as
 * local servers (Ollama, llama.cpp) take no key: a placeholder is sent, and a
 * server that wants a key answers 401, which names the variable.
 */
export function resolveEndpoint(spec: LlmBackendSpec, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const d = DEFAULTS[spec.type]
  const baseURL = spec.base_url ?? (env[d.urlVar] || d.url)
  const keyVar = spec.api_key_env ?? d.keyVar
  const apiKey = env[keyVar]
  if (!apiKey && spec.api_key_env) throw new Error(`environment variable ${keyVar} (backend.api_key_env) is not set`)
  return { baseURL, keyVar, apiKey: apiKey || 'no-key-set' }
}
