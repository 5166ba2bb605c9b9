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

/**
 * A push published to a swarm goes to every socket joined to it: the same
 * payload object, encoded once per socket. The payload's JSON (most of the
 * frame) is kept for the rest of the synchronous run that encoded it, so a
 * fan-out to N sockets stringifies it once; only the short envelope is built
 * per socket. It is dropped at the next microtask, so an object changed later
 * and pushed again is encoded afresh.
 */
let cachedPayload: object | null = null
let cachedJson: string | undefined

function forgetPayload(): void {
  cachedPayload = null
  cachedJson = undefined
}

function payloadJson(payload: unknown): string | undefined {
  if (payload === null || typeof payload !== 'object') return JSON.stringify(payload)
  if (payload === cachedPayload) return cachedJson
  const json = JSON.stringify(payload)
  if (cachedPayload === null) queueMicrotask(forgetPayload)
  cachedPayload = payload
  cachedJson = json
  return json
}

/** JSON.stringify as an array element: undefined (and functions) become null. */
const json = (v: unknown): string => JSON.stringify(v) ?? 'null'

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

export const serializerV2: Serializer = {
  vsn: '2.0.0',
  encode(msg) {
    // What JSON.stringify of the array gives, its payload taken from the cache; an array writes undefined as null.
    return `[${json(msg.joinRef)},${json(msg.ref)},${JSON.stringify(msg.topic)},${JSON.stringify(msg.event)},${payloadJson(msg.payload) ?? 'null'}]`
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
    // What JSON.stringify of the object gives, its payload taken from the cache; an object leaves an undefined payload out.
    const payload = payloadJson(msg.payload)
    const head = `{"topic":${JSON.stringify(msg.topic)},"event":${JSON.stringify(msg.event)},`
    return `${head}${payload === undefined ? '' : `"payload":${payload},`}"ref":${JSON.stringify(msg.ref)}}`
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
