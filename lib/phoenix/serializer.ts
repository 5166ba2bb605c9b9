import { ProtocolError, ProtocolErrorCode, type RecoveredAddress } from './errors.js'
import type { Message } from './types.js'

/**
 * Phoenix serializers. V2 (`vsn=2.0.x`) frames are JSON arrays
 * `[join_ref, ref, topic, event, payload]`; V1 (`vsn=1.0.x` or no vsn) frames
 * are JSON objects `{topic, event, payload, ref}` with an optional join_ref.
 */
export interface Serializer {
  readonly vsn: '1.0.0' | '2.0.0'
  encode(msg: Message): string
  /** @throws ProtocolError for anything that is not a well-formed message */
  decode(text: string): Message
}

const isRef = (v: unknown): v is string | null => v === null || typeof v === 'string'

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new ProtocolError(ProtocolErrorCode.malformedJson, 'frame is not valid JSON')
  }
}

function malformed(why: string, recovered: RecoveredAddress | null): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.malformedMessage, `malformed message: ${why}`, recovered)
}

function recover(joinRef: unknown, ref: unknown, topic: unknown): RecoveredAddress | null {
  return isRef(joinRef) && isRef(ref) && typeof topic === 'string' ? { joinRef, ref, topic } : null
}

const payloadJsonOf = new WeakMap<object, string>()

/**
 * The JSON of a payload shared by many pushes, computed for the first and
 * reused by the rest; `key` is the object they share (a PubSub message).
 */
export function sharedPayloadJson(key: object, payload: unknown): string | undefined {
  let json = payloadJsonOf.get(key)
  if (json === undefined) {
    json = JSON.stringify(payload) as string | undefined
    if (json === undefined) return undefined
    payloadJsonOf.set(key, json)
  }
  return json
}

export const serializerV2: Serializer = {
  vsn: '2.0.0',
  encode(msg) {
    if (msg.payloadJson !== undefined) {
      return `[${JSON.stringify(msg.joinRef)},${JSON.stringify(msg.ref)},${JSON.stringify(msg.topic)},${JSON.stringify(msg.event)},${msg.payloadJson}]`
    }
    return JSON.stringify([msg.joinRef, msg.ref, msg.topic, msg.event, msg.payload])
  },
  decode(text) {
    const frame = parseJson(text)
    if (!Array.isArray(frame) || frame.length !== 5) throw malformed('expected [join_ref, ref, topic, event, payload]', null)
    const [joinRef, ref, topic, event, payload] = frame as unknown[]
    const recovered = recover(joinRef, ref, topic)
    if (!isRef(joinRef)) throw malformed('join_ref must be a string or null', recovered)
    if (!isRef(ref)) throw malformed('ref must be a string or null', recovered)
    if (typeof topic !== 'string') throw malformed('topic must be a string', recovered)
    if (typeof event !== 'string') throw malformed('event must be a string', recovered)
    return { joinRef, ref, topic, event, payload }
  },
}

export const serializerV1: Serializer = {
  vsn: '1.0.0',
  encode(msg) {
    if (msg.payloadJson !== undefined) {
      return `{"topic":${JSON.stringify(msg.topic)},"event":${JSON.stringify(msg.event)},"payload":${msg.payloadJson},"ref":${JSON.stringify(msg.ref)}}`
    }
    return JSON.stringify({ topic: msg.topic, event: msg.event, payload: msg.payload, ref: msg.ref })
  },
  decode(text) {
    const frame = parseJson(text)
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) throw malformed('expected {topic, event, payload, ref}', null)
    const field = (key: string): unknown => (Object.hasOwn(frame, key) ? (frame as Record<string, unknown>)[key] : undefined)
    const [topic, event, payload, ref] = [field('topic'), field('event'), field('payload'), field('ref')]
    const joinRef = field('join_ref') ?? null
    const recovered = recover(joinRef, ref ?? null, topic)
    if (typeof topic !== 'string') throw malformed('topic must be a string', recovered)
    if (typeof event !== 'string') throw malformed('event must be a string', recovered)
    if (!Object.hasOwn(frame, 'payload')) throw malformed('payload is missing', recovered)
    if (!Object.hasOwn(frame, 'ref') || !isRef(ref)) throw malformed('ref must be a string or null', recovered)
    if (!isRef(joinRef)) throw malformed('join_ref must be a string or null', recovered)
    return { joinRef, ref, topic, event, payload }
  },
}

/** Phoenix accepts any patch release of the two protocol versions (`~> 2.0.0`, `~> 1.0.0`). */
export function serializerFor(vsn: string | undefined | null): Serializer {
  if (vsn === undefined || vsn === null || /^1\.0\.\d+$/.test(vsn)) return serializerV1
  if (/^2\.0\.\d+$/.test(vsn)) return serializerV2
  throw new ProtocolError(
    ProtocolErrorCode.unsupportedVsn,
    `unsupported serializer version vsn=${JSON.stringify(vsn).slice(0, 40)} (supported: 1.0.0, 2.0.0)`,
  )
}

const PUSH_KIND = 0
const PUSH_HEADER_BYTES = 5

/**
 * Binary frames are not supported, but the official client sends a payload
 * that is an ArrayBuffer as a binary "push" (kind 0, four length bytes, then
 * join_ref, ref, topic, event). Reading that header lets the socket answer the
 * push with an error instead of leaving the client to time out.
 */
export function binaryPushAddress(bytes: Uint8Array): RecoveredAddress | null {
  if (bytes.length < PUSH_HEADER_BYTES || bytes[0] !== PUSH_KIND) return null
  const sizes = [bytes[1]!, bytes[2]!, bytes[3]!, bytes[4]!]
  if (PUSH_HEADER_BYTES + sizes.reduce((a, b) => a + b, 0) > bytes.length) return null
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const fields: string[] = []
  let offset = PUSH_HEADER_BYTES
  try {
    for (const size of sizes) {
      fields.push(decoder.decode(bytes.subarray(offset, offset + size)))
      offset += size
    }
  } catch {
    return null
  }
  const [joinRef, ref, topic] = fields as [string, string, string, string]
  return { joinRef: joinRef === '' ? null : joinRef, ref: ref === '' ? null : ref, topic }
}
