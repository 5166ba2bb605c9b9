import { errors, GenswarmsError } from '../errors.js'

/** The protocol's codes, named for this layer; the codes themselves live with every other code in lib/errors.ts. */
export const ProtocolErrorCode = Object.freeze({
  malformedJson: errors.phxMalformedJson.code,
  malformedMessage: errors.phxMalformedMessage.code,
  unsupportedVsn: errors.phxUnsupportedVsn.code,
  binaryFrame: errors.phxBinaryFrame.code,
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
