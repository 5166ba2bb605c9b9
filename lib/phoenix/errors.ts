import { GenswarmsError } from '../errors.js'

export const ProtocolErrorCode = Object.freeze({
  malformedJson: 'GS_PHX_MALFORMED_JSON',
  malformedMessage: 'GS_PHX_MALFORMED_MESSAGE',
  unsupportedVsn: 'GS_PHX_UNSUPPORTED_VSN',
  binaryFrame: 'GS_PHX_BINARY_FRAME',
})

export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode]

/** What could still be read from a bad frame, enough to address an error reply. */
export interface RecoveredAddress {
  joinRef: string | null
  ref: string | null
  topic: string
}

/** A frame or a connect request that breaks the Phoenix wire protocol. */
export class ProtocolError extends GenswarmsError {
  override readonly code: ProtocolErrorCode
  readonly recovered: RecoveredAddress | null

  constructor(code: ProtocolErrorCode, message: string, recovered: RecoveredAddress | null = null) {
    super(code, message, { statusCode: 400 })
    this.name = 'ProtocolError'
    this.code = code
    this.recovered = recovered
  }
}

export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError
}
