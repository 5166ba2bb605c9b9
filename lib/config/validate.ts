import {
  INPUT_PLACEHOLDER,
  LOCAL_PROTOCOLS,
  NODE_NAME_RE,
  SWARM_NAME_RE,
  SYSTEM_OBJECTS,
  type AgentSpec,
  type BackendSpec,
  type Budget,
  type Edge,
  type LocalBackendSpec,
  type LocalProtocol,
  type LlmBackendSpec,
  type MockRule,
  type ObjectSpec,
  type SwarmConfig,
} from './types.js'
import { readObjectHandler } from './object-handler.js'
import { ANY_NODE } from './topology.js'

/**
 * Validation of swarm configs (the format is in README.md and docs/architecture.md). Every check appends to one error list
 * instead of throwing, so a user fixing a config sees all problems at once,
 * each prefixed by the path of the offending value.
 *
 * Decisions where the spec is silent:
 * - Unknown keys are errors at every level (a typo such as `topolgy` or
 *   `skils` must not silently drop configuration), except the top-level
 *   `description` (kept, for snapshots) and `version` (accepted and ignored,
 *   so configs may carry their own schema/version marker).
 * - A swarm needs at least one agent or object; either list may be empty.
 * - Agents may not take a system object name (`metrics`, `tick`, `gateway`);
 *   objects may, since an object of that name is how a swarm implements it.
 * - Topology endpoints may be system objects even when no object of that
 *   name is configured, or `*` (every agent and object: lib/config/topology.ts);
 *   duplicate edges are collapsed, self-edges rejected.
 * - Backend keys may sit in the backend object or in the agent's `config`;
 *   the keys of the agent's backend type are lifted out of `config`, other
 *   keys stay there as free domain keys. The same key in both places is an
 *   error rather than a silent precedence rule.
 */

export type ValidationResult<T> = { ok: true; config: T } | { ok: false; errors: string[] }
export type AgentValidationResult = { ok: true; spec: AgentSpec } | { ok: false; errors: string[] }
export type EdgesValidationResult = { ok: true; edges: Edge[] } | { ok: false; errors: string[] }

type Errors = string[]
type Dict = Record<string, unknown>

const TOP_LEVEL_KEYS = ['name', 'description', 'version', 'agents', 'objects', 'topology', 'budget', 'tick_ms']
const AGENT_KEYS = ['name', 'backend', 'skills', 'model', 'budget', 'config']
const OBJECT_KEYS = ['name', 'type', 'config', 'handler', 'timeout_ms']
const RULE_KEYS = ['match', 'response', 'delay_ms']
const LLM_KEYS = [
  'model', 'base_url', 'api_key_env', 'temperature', 'max_tokens', 'timeout_ms',
  'max_retries', 'max_tool_rounds', 'max_history_messages', 'extra',
] as const
/** An environment variable name, so a key pasted into `api_key_env` is refused rather than stored. */
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/
const BACKEND_KEYS = {
  mock: ['script', 'echo'],
  local: ['command', 'protocol', 'idle_ms', 'timeout_ms', 'max_output_bytes', 'kill_grace_ms', 'cwd', 'env'],
  openai: LLM_KEYS,
  anthropic: LLM_KEYS,
} as const
const BACKEND_TYPES = Object.keys(BACKEND_KEYS) as (keyof typeof BACKEND_KEYS)[]
const BACKEND_CHOICES = BACKEND_TYPES.map((t) => JSON.stringify(t)).join(', ')
const RESERVED = new Set<string>(SYSTEM_OBJECTS)

export function validateConfig(raw: unknown): ValidationResult<SwarmConfig> {
  const errs: Errors = []
  if (!isDict(raw)) return { ok: false, errors: [`<root>: must be an object, got ${kind(raw)}`] }
  rejectUnknownKeys(raw, TOP_LEVEL_KEYS, '', errs)

  const name = readSwarmName(raw.name, errs)
  const description = optionalString(raw.description, 'description', errs)
  if (raw.version !== undefined && typeof raw.version !== 'string' && typeof raw.version !== 'number') {
    errs.push(`version: must be a string or number, got ${kind(raw.version)}`)
  }

  const names = new NameRegistry(errs)
  const agents = readList(raw.agents, 'agents', errs).map((item, i) => readAgent(item, `agents[${i}]`, errs, names))
  const objects = readList(raw.objects, 'objects', errs).map((item, i) => readObject(item, `objects[${i}]`, errs, names))
  if (agents.length === 0 && objects.length === 0 && Array.isArray(raw.agents ?? []) && Array.isArray(raw.objects ?? [])) {
    errs.push('agents: a swarm needs at least one agent or object')
  }
  const topology = readEdges(raw.topology, 'topology', errs, names.all())
  const budget = readBudget(raw.budget, 'budget', errs)
  const tickMs = readTickMs(raw.tick_ms, errs)

  if (errs.length > 0) return { ok: false, errors: errs }
  const config: SwarmConfig = {
    name,
    ...(description !== undefined ? { description } : {}),
    agents,
    objects,
    topology,
    ...(budget ? { budget } : {}),
    ...(tickMs !== undefined ? { tick_ms: tickMs } : {}),
  }
  return { ok: true, config }
}

/**
 * Validates one agent spec on its own, e.g. one added at runtime; `taken`
 * holds the names already used in the swarm.
 */
export function validateAgentSpec(raw: unknown, taken: Iterable<string> = []): AgentValidationResult {
  const errs: Errors = []
  const names = new NameRegistry(errs)
  for (const name of taken) names.preclaim(name)
  const spec = readAgent(raw, 'agent', errs, names)
  return errs.length > 0 ? { ok: false, errors: errs } : { ok: true, spec }
}

/** Validates a list of edges against the swarm's node names (runtime topology edits). */
export function validateEdges(raw: unknown, nodes: Iterable<string>, path = 'edges'): EdgesValidationResult {
  const errs: Errors = []
  const edges = readEdges(raw, path, errs, new Set([...nodes, ...SYSTEM_OBJECTS]))
  return errs.length > 0 ? { ok: false, errors: errs } : { ok: true, edges }
}

/**
 * The agent spec as a plain JSON object in the normalised shape: what is sent
 * as `agent_added.spec` and written into snapshots. validateConfig accepts it
 * back unchanged.
 */
export function serializeAgentSpec(spec: AgentSpec): AgentSpec {
  const { name, backend, skills, model, budget, config } = spec
  // JSON drops an undefined model or budget, so the key is absent rather than null.
  return plainJson({ name, backend, skills, model, budget, config })
}

/** The whole config as plain JSON, in a shape validateConfig accepts back. */
export function serializeConfig(config: SwarmConfig): SwarmConfig {
  const out: SwarmConfig = {
    name: config.name,
    ...(config.description !== undefined ? { description: config.description } : {}),
    agents: config.agents.map(serializeAgentSpec),
    objects: config.objects,
    topology: config.topology.map(({ from, to }) => ({ from, to })),
    ...(config.budget ? { budget: config.budget } : {}),
    ...(config.tick_ms !== undefined ? { tick_ms: config.tick_ms } : {}),
  }
  return plainJson(out)
}

export interface ConfigSummary {
  name: string
  agents: string[]
  objects: string[]
  edges: number
}

/** A short description of a valid config, for answers that should not echo it whole. */
export function summarizeConfig(config: SwarmConfig): ConfigSummary {
  return {
    name: config.name,
    agents: config.agents.map((a) => a.name),
    objects: config.objects.map((o) => o.name),
    edges: config.topology.length,
  }
}

// ---------------------------------------------------------------- names

/** Tracks node names across agents and objects to report duplicates. */
class NameRegistry {
  private readonly names = new Set<string>()
  constructor(private readonly errs: Errors) {}

  preclaim(name: string): void {
    this.names.add(name)
  }

  claim(name: string, path: string): void {
    if (this.names.has(name)) this.errs.push(`${path}: duplicate name "${name}"`)
    this.names.add(name)
  }

  /** Every claimed name plus the system objects: the valid edge endpoints. */
  all(): Set<string> {
    return new Set([...this.names, ...SYSTEM_OBJECTS])
  }
}

function readSwarmName(raw: unknown, errs: Errors): string {
  if (raw === undefined) {
    errs.push('name: required')
    return ''
  }
  if (typeof raw !== 'string') {
    errs.push(`name: must be a string, got ${kind(raw)}`)
    return ''
  }
  if (!SWARM_NAME_RE.test(raw)) errs.push(`name: must match ${SWARM_NAME_RE.source}, got ${JSON.stringify(raw)}`)
  return raw
}

/**
 * Reads a node name; any string is claimed (even a malformed one) so that
 * topology edges naming it do not add a misleading "unknown node" error.
 */
function readNodeName(raw: unknown, path: string, errs: Errors, names: NameRegistry): string {
  if (raw === undefined) {
    errs.push(`${path}: required`)
    return ''
  }
  if (typeof raw !== 'string') {
    errs.push(`${path}: must be a string, got ${kind(raw)}`)
    return ''
  }
  if (!NODE_NAME_RE.test(raw)) errs.push(`${path}: must match ${NODE_NAME_RE.source}, got ${JSON.stringify(raw)}`)
  names.claim(raw, path)
  return raw
}

// ---------------------------------------------------------------- agents and objects

function readAgent(raw: unknown, path: string, errs: Errors, names: NameRegistry): AgentSpec {
  const placeholder: AgentSpec = { name: '', backend: { type: 'mock' }, skills: [], config: {} }
  if (!isDict(raw)) {
    errs.push(`${path}: must be an object, got ${kind(raw)}`)
    return placeholder
  }
  rejectUnknownKeys(raw, AGENT_KEYS, path, errs)

  const name = readNodeName(raw.name, `${path}.name`, errs, names)
  if (RESERVED.has(name)) errs.push(`${path}.name: "${name}" is reserved for a system object`)
  const config = readDict(raw.config, `${path}.config`, errs)
  const backend = readBackend(raw.backend, config, path, errs)
  const skills = readStringList(raw.skills, `${path}.skills`, errs)
  const model = optionalString(raw.model, `${path}.model`, errs)
  const budget = readBudget(raw.budget, `${path}.budget`, errs)
  optionalPositive(config.ask_timeout_ms, `${path}.config.ask_timeout_ms`, errs)

  return { name, backend, skills, ...(model !== undefined ? { model } : {}), ...(budget ? { budget } : {}), config }
}

function readObject(raw: unknown, path: string, errs: Errors, names: NameRegistry): ObjectSpec {
  if (!isDict(raw)) {
    errs.push(`${path}: must be an object, got ${kind(raw)}`)
    return { name: '', type: 'handler', config: {} }
  }
  rejectUnknownKeys(raw, OBJECT_KEYS, path, errs)
  const name = readNodeName(raw.name, `${path}.name`, errs, names)
  let type = 'handler'
  if (raw.type !== undefined) {
    if (typeof raw.type === 'string' && raw.type !== '') type = raw.type
    else errs.push(`${path}.type: must be a non-empty string, got ${kind(raw.type)}`)
  }
  const spec: ObjectSpec = { name, type, config: readDict(raw.config, `${path}.config`, errs) }
  readObjectHandler(raw, spec, path, errs)
  return spec
}

/** Validates one object spec on its own (added at runtime); `taken` holds the names already used. */
export function validateObjectSpec(raw: unknown, taken: Iterable<string> = []): { ok: true; spec: ObjectSpec } | { ok: false; errors: string[] } {
  const errs: Errors = []
  const names = new NameRegistry(errs)
  for (const name of taken) names.preclaim(name)
  const spec = readObject(raw, 'object', errs, names)
  return errs.length > 0 ? { ok: false, errors: errs } : { ok: true, spec }
}

// ---------------------------------------------------------------- backends

/**
 * Builds the backend object from `backend` plus the backend keys lifted out
 * of `config` (which is mutated: lifted keys are removed from it).
 */
function readBackend(raw: unknown, config: Dict, agentPath: string, errs: Errors): BackendSpec {
  const path = `${agentPath}.backend`
  let type: unknown
  let fields: Dict = {}
  if (raw === undefined) {
    errs.push(`${path}: required (${BACKEND_CHOICES} or an object with a type)`)
  } else if (typeof raw === 'string') {
    type = raw
  } else if (isDict(raw)) {
    ;({ type, ...fields } = raw)
    if (type === undefined) errs.push(`${path}.type: required (${BACKEND_CHOICES})`)
  } else {
    errs.push(`${path}: must be ${BACKEND_CHOICES} or an object with a type, got ${kind(raw)}`)
  }
  if (type === undefined) return { type: 'mock' }
  if (!isBackendType(type)) {
    const typePath = typeof raw === 'string' ? path : `${path}.type`
    errs.push(`${typePath}: unknown backend ${JSON.stringify(type)} (expected ${BACKEND_CHOICES})`)
    return { type: 'mock' }
  }

  const allowed: readonly string[] = BACKEND_KEYS[type]
  // Where each field was written, so errors point at the user's own text.
  const origin = new Map(Object.keys(fields).map((key) => [key, `${path}.${key}`]))
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) {
      errs.push(`${path}.${key}: not a ${type} backend key (allowed: type, ${allowed.join(', ')})`)
      delete fields[key]
    }
  }
  for (const key of allowed) {
    if (!(key in config)) continue
    if (key in fields) {
      errs.push(`${agentPath}.config.${key}: also set in ${path}.${key}; give it once`)
    } else {
      fields[key] = config[key]
      origin.set(key, `${agentPath}.config.${key}`)
    }
    delete config[key]
  }
  const where = (key: string) => origin.get(key) ?? `${path}.${key}`
  if (type === 'mock') return readMockBackend(fields, where, errs)
  if (type === 'local') return readLocalBackend(fields, where, path, errs)
  return readLlmBackend(type, fields, where, path, errs)
}

function isBackendType(type: unknown): type is keyof typeof BACKEND_KEYS {
  return typeof type === 'string' && (BACKEND_TYPES as string[]).includes(type)
}

function readLlmBackend(type: LlmBackendSpec['type'], fields: Dict, where: (key: string) => string, path: string, errs: Errors): BackendSpec {
  const spec: LlmBackendSpec = { type, model: '' }
  if (fields.model === undefined) errs.push(`${path}.model: required for an ${type} backend (such as ${type === 'openai' ? '"gpt-4o-mini"' : '"claude-sonnet-4-5"'})`)
  else if (typeof fields.model === 'string' && fields.model !== '') spec.model = fields.model
  else errs.push(`${where('model')}: must be a non-empty string, got ${kind(fields.model)}`)
  if (fields.base_url !== undefined) {
    if (typeof fields.base_url === 'string' && /^https?:\/\/[^/]/.test(fields.base_url)) spec.base_url = fields.base_url
    else errs.push(`${where('base_url')}: must be an http(s) URL such as "http://127.0.0.1:11434/v1", got ${kind(fields.base_url)}`)
  }
  if (fields.api_key_env !== undefined) {
    // Never echo the value: if it is not a variable name it may well be the key itself.
    if (typeof fields.api_key_env === 'string' && ENV_NAME_RE.test(fields.api_key_env)) spec.api_key_env = fields.api_key_env
    else errs.push(`${where('api_key_env')}: must be the NAME of an environment variable (such as "OPENAI_API_KEY"), never the key itself`)
  }
  if (fields.temperature !== undefined) {
    if (typeof fields.temperature === 'number' && Number.isFinite(fields.temperature) && fields.temperature >= 0) spec.temperature = fields.temperature
    else errs.push(`${where('temperature')}: must be a number >= 0, got ${kind(fields.temperature)}`)
  }
  for (const key of ['max_tokens', 'timeout_ms', 'max_tool_rounds', 'max_history_messages'] as const) {
    const value = optionalPositive(fields[key], where(key), errs)
    if (value !== undefined) spec[key] = value
  }
  const retries = optionalCount(fields.max_retries, where('max_retries'), errs)
  if (retries !== undefined) spec.max_retries = retries
  if (fields.extra !== undefined) {
    if (isDict(fields.extra)) spec.extra = { ...fields.extra }
    else errs.push(`${where('extra')}: must be an object (merged into the request body), got ${kind(fields.extra)}`)
  }
  return spec
}

function readBudget(raw: unknown, path: string, errs: Errors): Budget | undefined {
  if (raw === undefined || raw === null) return undefined
  if (!isDict(raw)) {
    errs.push(`${path}: must be an object {max_tokens}, got ${kind(raw)}`)
    return undefined
  }
  rejectUnknownKeys(raw, ['max_tokens'], path, errs)
  if (raw.max_tokens === undefined) {
    errs.push(`${path}.max_tokens: required`)
    return undefined
  }
  const max = optionalPositive(raw.max_tokens, `${path}.max_tokens`, errs)
  return max === undefined ? undefined : { max_tokens: max }
}

function readMockBackend(fields: Dict, where: (key: string) => string, errs: Errors): BackendSpec {
  const spec: BackendSpec = { type: 'mock' }
  if (fields.script !== undefined) {
    const path = where('script')
    if (Array.isArray(fields.script)) spec.script = fields.script.map((rule, i) => readRule(rule, `${path}[${i}]`, errs))
    else errs.push(`${path}: must be a list of {match, response, delay_ms} rules, got ${kind(fields.script)}`)
  }
  if (fields.echo !== undefined) {
    if (typeof fields.echo === 'boolean') spec.echo = fields.echo
    else errs.push(`${where('echo')}: must be true or false, got ${kind(fields.echo)}`)
  }
  return spec
}

function readRule(raw: unknown, path: string, errs: Errors): MockRule {
  if (!isDict(raw)) {
    errs.push(`${path}: must be an object {match, response, delay_ms}, got ${kind(raw)}`)
    return { match: '', response: '' }
  }
  rejectUnknownKeys(raw, RULE_KEYS, path, errs)
  const rule: MockRule = { match: '', response: '' }
  if (typeof raw.match !== 'string') {
    errs.push(`${path}.match: ${raw.match === undefined ? 'required' : `must be a string, got ${kind(raw.match)}`}`)
  } else {
    rule.match = raw.match
    try {
      new RegExp(raw.match)
    } catch (err) {
      errs.push(`${path}.match: invalid regular expression: ${(err as Error).message}`)
    }
  }
  if (typeof raw.response === 'string') rule.response = raw.response
  else errs.push(`${path}.response: ${raw.response === undefined ? 'required' : `must be a string, got ${kind(raw.response)}`}`)
  const delay = optionalCount(raw.delay_ms, `${path}.delay_ms`, errs)
  if (delay !== undefined) rule.delay_ms = delay
  return rule
}

function readLocalBackend(fields: Dict, where: (key: string) => string, path: string, errs: Errors): BackendSpec {
  const spec: LocalBackendSpec = { type: 'local', command: [] }
  const command = fields.command
  if (command === undefined) {
    errs.push(`${path}.command: required for a local backend (an argv list such as ["python3", "agent.py"])`)
  } else if (!Array.isArray(command) || command.length === 0 || !command.every((arg) => typeof arg === 'string')) {
    errs.push(`${where('command')}: must be a non-empty list of strings (argv, such as ["python3", "agent.py"]), got ${kind(command)}`)
  } else if (command[0] === '') {
    errs.push(`${where('command')}[0]: the program must not be empty`)
  } else {
    spec.command = [...command]
  }
  const protocol = readProtocol(fields.protocol, where('protocol'), errs)
  if (protocol !== undefined) spec.protocol = protocol
  readProtocolKeys(spec, fields, where, errs)
  const grace = optionalCount(fields.kill_grace_ms, where('kill_grace_ms'), errs)
  if (grace !== undefined) spec.kill_grace_ms = grace
  if (fields.cwd !== undefined) {
    if (typeof fields.cwd === 'string' && fields.cwd !== '') spec.cwd = fields.cwd
    else errs.push(`${where('cwd')}: must be a non-empty string, got ${kind(fields.cwd)}`)
  }
  if (fields.env !== undefined) spec.env = readEnv(fields.env, where('env'), errs)
  return spec
}

function readProtocol(raw: unknown, path: string, errs: Errors): LocalProtocol | undefined {
  if (raw === undefined) return undefined
  if ((LOCAL_PROTOCOLS as readonly unknown[]).includes(raw)) return raw as LocalProtocol
  errs.push(`${path}: must be ${LOCAL_PROTOCOLS.map((p) => JSON.stringify(p)).join(' or ')}, got ${kind(raw)}`)
  return undefined
}

/**
 * Keys that mean something under one protocol only are errors under the
 * other, so a user never sets a timeout that is silently ignored.
 */
function readProtocolKeys(spec: LocalBackendSpec, fields: Dict, where: (key: string) => string, errs: Errors): void {
  const text = spec.protocol === 'text'
  const only = (key: string, protocol: LocalProtocol, why: string) => {
    if (fields[key] !== undefined) errs.push(`${where(key)}: only for protocol: ${protocol} (${why})`)
  }
  if (text) {
    only('idle_ms', 'jsonl', 'a text run ends its turn when it exits')
    const timeout = optionalCount(fields.timeout_ms, where('timeout_ms'), errs)
    if (timeout !== undefined) spec.timeout_ms = timeout
    const cap = optionalCount(fields.max_output_bytes, where('max_output_bytes'), errs)
    if (cap === 0) errs.push(`${where('max_output_bytes')}: must be at least 1`)
    else if (cap !== undefined) spec.max_output_bytes = cap
    if (spec.command[0]?.includes(INPUT_PLACEHOLDER)) {
      errs.push(`${where('command')}[0]: the program cannot be the ${INPUT_PLACEHOLDER} placeholder; put it in an argument`)
    }
    return
  }
  const idle = optionalCount(fields.idle_ms, where('idle_ms'), errs)
  if (idle !== undefined) spec.idle_ms = idle
  only('timeout_ms', 'text', 'a jsonl program runs for the whole life of the agent')
  only('max_output_bytes', 'text', 'a jsonl program\'s output is read line by line')
  const at = spec.command.findIndex((arg) => arg.includes(INPUT_PLACEHOLDER))
  if (at >= 0) errs.push(`${where('command')}[${at}]: ${INPUT_PLACEHOLDER} is only replaced with protocol: text`)
}

/** Numbers and booleans are accepted and stringified, as YAML users write `DEBUG: 1`. */
function readEnv(raw: unknown, path: string, errs: Errors): Record<string, string> {
  if (!isDict(raw)) {
    errs.push(`${path}: must be an object of strings, got ${kind(raw)}`)
    return {}
  }
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') env[key] = String(value)
    else errs.push(`${path}.${key}: must be a string, got ${kind(value)}`)
  }
  return env
}

// ---------------------------------------------------------------- topology

/**
 * A spelled-out full mesh of 1,000 agents is 999,000 edges, so the common
 * case (a well-formed pair of known names) builds no path string, no key and
 * no per-edge Set; only a faulty edge goes the long way to say where it is.
 */
function readEdges(raw: unknown, path: string, errs: Errors, known: Set<string>): Edge[] {
  const list = readList(raw, path, errs)
  const edges: Edge[] = []
  const seen = new Map<string, Set<string>>()
  for (let i = 0; i < list.length; i++) {
    const item = list[i]
    let from: unknown
    let to: unknown
    if (Array.isArray(item) && item.length === 2) [from, to] = item
    else if (isDict(item) && Object.keys(item).length === 2) ({ from, to } = item)
    const fine = typeof from === 'string' && typeof to === 'string' && from !== to && isEnd(from, known) && isEnd(to, known)
    const edge = fine ? { from: from as string, to: to as string } : checkEdge(item, `${path}[${i}]`, errs, known)
    if (!edge) continue
    let targets = seen.get(edge.from)
    if (!targets) seen.set(edge.from, (targets = new Set()))
    if (targets.has(edge.to)) continue
    targets.add(edge.to)
    edges.push(edge)
  }
  return edges
}

const isEnd = (name: string, known: Set<string>) => name === ANY_NODE || known.has(name)

/** The long way, for an edge the fast path did not take: every problem, with its path. */
function checkEdge(raw: unknown, edgePath: string, errs: Errors, known: Set<string>): Edge | undefined {
  const edge = readEdge(raw, edgePath, errs)
  if (!edge) return undefined
  let ok = true
  for (const node of new Set([edge.from, edge.to])) {
    if (!isEnd(node, known)) {
      errs.push(`${edgePath}: unknown node "${node}"`)
      ok = false
    }
  }
  // `["*", "*"]` is the full mesh, which never includes self-edges.
  if (edge.from === edge.to && edge.from !== ANY_NODE) {
    errs.push(`${edgePath}: self-edge "${edge.from}" -> "${edge.to}" is not allowed`)
    ok = false
  }
  return ok ? edge : undefined
}

function readEdge(raw: unknown, path: string, errs: Errors): Edge | undefined {
  let from: unknown
  let to: unknown
  let fromPath: string
  let toPath: string
  if (Array.isArray(raw) && raw.length === 2) {
    ;[from, to] = raw
    fromPath = `${path}[0]`
    toPath = `${path}[1]`
  } else if (isDict(raw)) {
    rejectUnknownKeys(raw, ['from', 'to'], path, errs)
    ;({ from, to } = raw)
    fromPath = `${path}.from`
    toPath = `${path}.to`
  } else {
    errs.push(`${path}: must be [from, to] or {from, to}, got ${kind(raw)}`)
    return undefined
  }
  let ok = true
  for (const [value, at] of [[from, fromPath], [to, toPath]] as const) {
    if (typeof value !== 'string') {
      errs.push(`${at}: ${value === undefined ? 'required' : `must be a node name, got ${kind(value)}`}`)
      ok = false
    }
  }
  return ok ? { from: from as string, to: to as string } : undefined
}

// ---------------------------------------------------------------- primitives

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function kind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`
  return typeof value
}

function rejectUnknownKeys(raw: Dict, allowed: readonly string[], path: string, errs: Errors): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) errs.push(`${path ? `${path}.` : ''}${key}: unknown key (allowed: ${allowed.join(', ')})`)
  }
}

function readList(raw: unknown, path: string, errs: Errors): unknown[] {
  if (raw === undefined || raw === null) return []
  if (Array.isArray(raw)) return raw
  errs.push(`${path}: must be a list, got ${kind(raw)}`)
  return []
}

/** A copy, so lifting backend keys never mutates the caller's input. */
function readDict(raw: unknown, path: string, errs: Errors): Dict {
  if (raw === undefined || raw === null) return {}
  if (isDict(raw)) return { ...raw }
  errs.push(`${path}: must be an object, got ${kind(raw)}`)
  return {}
}

function readStringList(raw: unknown, path: string, errs: Errors): string[] {
  const list = readList(raw, path, errs)
  list.forEach((item, i) => {
    if (typeof item !== 'string') errs.push(`${path}[${i}]: must be a string, got ${kind(item)}`)
  })
  return list.filter((item): item is string => typeof item === 'string')
}

function optionalString(raw: unknown, path: string, errs: Errors): string | undefined {
  if (raw === undefined) return undefined
  if (typeof raw === 'string') return raw
  errs.push(`${path}: must be a string, got ${kind(raw)}`)
  return undefined
}

function optionalCount(raw: unknown, path: string, errs: Errors): number | undefined {
  if (raw === undefined) return undefined
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return raw
  errs.push(`${path}: must be a non-negative integer, got ${kind(raw)}`)
  return undefined
}

function optionalPositive(raw: unknown, path: string, errs: Errors): number | undefined {
  if (raw === undefined) return undefined
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) return raw
  errs.push(`${path}: must be a positive integer, got ${kind(raw)}`)
  return undefined
}

function plainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

/** Below this a tick would flood the swarm's inboxes faster than any agent reads them. */
export const MIN_TICK_MS = 10
/** A day; past 2^31 ms a Node timer would fire at once instead. */
export const MAX_TICK_MS = 86_400_000

function readTickMs(raw: unknown, errs: Errors): number | undefined {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < MIN_TICK_MS || raw > MAX_TICK_MS) {
    errs.push(`tick_ms: must be an integer from ${MIN_TICK_MS} to ${MAX_TICK_MS} (milliseconds), got ${JSON.stringify(raw) ?? kind(raw)}`)
    return undefined
  }
  return raw
}
