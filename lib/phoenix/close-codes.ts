/**
 * WebSocket close codes the socket layer uses. 4000-4999 is the range RFC 6455
 * leaves to applications; each reason gets its own code so a client can tell
 * "reconnect now" (idle, slow) from "fix your client" (vsn).
 */
export const CloseCode = Object.freeze({
  /** server shutting the socket down normally */
  normal: 1000,
  /** the transport refused a write; nothing sensible left to do with the socket */
  internalError: 1011,
  /** no frame (not even a heartbeat) within idleTimeoutMs */
  idleTimeout: 4000,
  /** the client stopped reading and the outbound buffer passed maxBufferedBytes */
  slowConsumer: 4001,
  /** the `vsn` query parameter names a serializer this server does not speak */
  unsupportedVsn: 4002,
})

export type CloseCodeName = keyof typeof CloseCode
