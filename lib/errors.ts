/**
 * Every failure the engine reports is a GenswarmsError with a stable `code`
 * (for programs), an HTTP-ish `statusCode` (for the REST layer) and a `reason`
 * in the inspected-atom flavour of the original Elixir server (for the
 * WebSocket API, where it is documented as an opaque diagnostic string).
 */
export class GenswarmsError extends Error {
  readonly code: string
  readonly statusCode: number
  readonly reason: string
  readonly details: unknown

  constructor(code: string, message: string, opts: { statusCode?: number; reason?: string; details?: unknown } = {}) {
    super(message)
    this.name = 'GenswarmsError'
    this.code = code
    this.statusCode = opts.statusCode ?? 500
    this.reason = opts.reason ?? message
    this.details = opts.details
  }
}

type ErrorFactory<A extends unknown[]> = ((...args: A) => GenswarmsError) & { code: string }

function define<A extends unknown[]>(
  code: string,
  statusCode: number,
  reason: string | undefined,
  message: (...args: A) => string,
): ErrorFactory<A> {
  const factory = (...args: A) => new GenswarmsError(code, message(...args), { statusCode, reason: reason ?? message(...args) })
  return Object.assign(factory, { code })
}

/**
 * For a refusal that lists every problem it found: `details` is the list and
 * the message joins it. The status is the default unless the caller knows
 * better (a missing target is a 404).
 */
function defineList(code: string, defaultStatus: number, reason: string): ErrorFactory<[problems: string[], statusCode?: number]> {
  const factory = (problems: string[], statusCode = defaultStatus) =>
    new GenswarmsError(code, problems.join('; '), { statusCode, reason, details: problems })
  return Object.assign(factory, { code })
}

export const errors = {
  swarmNotFound: define('GS_SWARM_NOT_FOUND', 404, ':not_found', (swarm: string) => `swarm "${swarm}" not found`),
  swarmAlreadyRunning: define('GS_SWARM_ALREADY_RUNNING', 409, ':already_running', (swarm: string) => `swarm "${swarm}" is already running`),
  swarmNotRunning: define('GS_SWARM_NOT_RUNNING', 409, ':not_running', (swarm: string) => `swarm "${swarm}" is not running`),
  agentNotFound: define('GS_AGENT_NOT_FOUND', 404, ':agent_not_found', (swarm: string, agent: string) => `agent "${agent}" not found in swarm "${swarm}"`),
  invalidRoute: define('GS_INVALID_ROUTE', 400, ':invalid_route', (from: string, to: string, allowed: string[]) =>
    `no topology edge from "${from}" to "${to}" (allowed targets: ${allowed.length ? allowed.join(', ') : 'none'})`),
  invalidConfig: define('GS_INVALID_CONFIG', 400, ':invalid_config', (errs: string[]) => `invalid swarm config: ${errs.join('; ')}`),
  invalidInput: define('GS_INVALID_INPUT', 400, undefined, (message: string) => message),
  backendStartFailed: define('GS_BACKEND_START_FAILED', 500, ':backend_start_failed', (agent: string, why: string) => `agent "${agent}" failed to start: ${why}`),
  agentUnavailable: define('GS_AGENT_UNAVAILABLE', 409, ':agent_unavailable', (agent: string, state: string) => `agent "${agent}" cannot take input in state ${state}`),
  configFile: define('GS_CONFIG_FILE', 400, ':config_file', (message: string) => message),
  timeout: define('GS_TIMEOUT', 504, ':timeout', (what: string) => `timed out waiting for ${what}`),
  unknownCommand: define('GS_UNKNOWN_COMMAND', 400, ':unknown_command', (op: string) => `unknown swarm command "${op}"`),
  daemonStartFailed: define('GS_DAEMON_START_FAILED', 500, ':daemon_start_failed', (swarm: string, why: string) => `daemon for swarm "${swarm}" did not start: ${why}`),
  serverAlreadyRunning: define('GS_SERVER_ALREADY_RUNNING', 409, ':already_running', (pid: number, url: string) => `a server is already running (pid ${pid}) at ${url}`),
  noDatabase: define('GS_NO_DATABASE', 404, ':no_database', (path: string) =>
    `no database at ${path}: nothing has run here yet (use --db or GENSWARMS_DB to point at another)`),
  serverUnavailable: define('GS_SERVER_UNAVAILABLE', 503, ':server_unavailable', (url: string, why: string) => `the server at ${url} ${why}`),
  swarmInDaemon: define('GS_SWARM_IN_DAEMON', 409, ':not_in_process', (swarm: string, pid: number | null, what: string) =>
    `swarm "${swarm}" runs in daemon process ${pid ?? '?'}; ${what} is only available for swarms running in this server`),
  noStoredConfig: define('GS_NO_STORED_CONFIG', 409, ':no_config', (swarm: string) => `swarm "${swarm}" has no stored config or config path to restart from`),
  skillNotFound: define('GS_SKILL_NOT_FOUND', 404, ':skill_not_found', (name: string) => `skill "${name}" not found`),
  unauthorized: define('GS_UNAUTHORIZED', 401, ':unauthorized', (message: string) => message),
  forbidden: define('GS_FORBIDDEN', 403, ':forbidden', (message: string) => message),
  hostNotAllowed: define('GS_HOST_NOT_ALLOWED', 403, ':host_not_allowed', (host: string) =>
    `host ${JSON.stringify(host)} is not served without an API token; allow it with GENSWARMS_ALLOWED_HOSTS or set GENSWARMS_API_TOKEN`),
  originNotAllowed: define('GS_ORIGIN_NOT_ALLOWED', 403, ':origin_not_allowed', (origin: string) =>
    `origin ${JSON.stringify(origin)} is not allowed; allowed origins are set by GENSWARMS_CORS_ORIGINS`),
  unsupportedMediaType: define('GS_UNSUPPORTED_MEDIA_TYPE', 415, ':unsupported_media_type', (type: string) =>
    `content type ${JSON.stringify(type)} is not accepted; send application/json`),
  bodyTooLarge: define('GS_BODY_TOO_LARGE', 413, ':body_too_large', (limit: number) => `request body is larger than ${limit} bytes`),
  headersTooLarge: define('GS_HEADERS_TOO_LARGE', 431, ':headers_too_large', () => 'request headers are too large'),
  routeNotFound: define('GS_ROUTE_NOT_FOUND', 404, ':route_not_found', (method: string, url: string) => `no route ${method} ${url}`),
  methodNotAllowed: define('GS_METHOD_NOT_ALLOWED', 405, ':method_not_allowed', (method: string) => `method ${method} is not allowed here`),
  invalidJson: define('GS_INVALID_JSON', 400, ':invalid_json', (message: string) => message),
  badRequest: define('GS_BAD_REQUEST', 400, ':bad_request', (message: string) => message),
  requestTimeout: define('GS_REQUEST_TIMEOUT', 408, ':request_timeout', (ms: number) => `request not received within ${ms} ms`),
  internal: define('GS_INTERNAL', 500, ':internal', () => 'internal server error'),
  inboxFull: define('GS_INBOX_FULL', 429, 'inbox_full', (swarm: string, agent: string, limit: number) =>
    `agent "${agent}" in swarm "${swarm}" has ${limit} inputs waiting; nothing was accepted, try again later`),
  invalidMutation: defineList('GS_INVALID_MUTATION', 400, ':invalid_mutation'),
  // Phoenix wire protocol: a frame or connect request the socket layer cannot take (lib/phoenix).
  phxMalformedJson: define('GS_PHX_MALFORMED_JSON', 400, undefined, (message: string) => message),
  phxMalformedMessage: define('GS_PHX_MALFORMED_MESSAGE', 400, undefined, (message: string) => message),
  phxUnsupportedVsn: define('GS_PHX_UNSUPPORTED_VSN', 400, undefined, (message: string) => message),
  phxBinaryFrame: define('GS_PHX_BINARY_FRAME', 400, undefined, (message: string) => message),
  commandFailed: define('GS_COMMAND_FAILED', 500, ':command_failed', (swarm: string, what: string) => `the daemon of swarm "${swarm}" could not ${what}`),
  serverError: define('GS_SERVER_ERROR', 502, ':server_error', (message: string) => message),
  unknownEvent: define('GS_UNKNOWN_EVENT', 400, 'unknown_event', (event: string) => `unknown event "${event}"`),
  tooManySubscriptions: define('GS_TOO_MANY_SUBSCRIPTIONS', 429, undefined, (kind: 'log' | 'event') => `too many ${kind} subscriptions`),
  budgetExceeded: define('GS_BUDGET_EXCEEDED', 409, 'budget_exceeded', (who: string, used: number, max: number) =>
    `${who} has used ${used} of its ${max}-token budget; it takes no new input`),
  objectNotFound: define('GS_OBJECT_NOT_FOUND', 404, ':object_not_found', (swarm: string, object: string) => `object "${object}" not found in swarm "${swarm}"`),
  invalidHandler: define('GS_INVALID_HANDLER', 400, ':invalid_handler', (object: string, why: string) => `handler of object "${object}" refused: ${why}`),
  dashboardNotBuilt: define('GS_DASHBOARD_NOT_BUILT', 503, ':dashboard_not_built', (dir: string) =>
    `the dashboard is not built: ${dir} is missing; run \`npm run build\` (or \`node scripts/build-dashboard.mjs\`) in the genswarms package`),
  // CLI only (docs/cli.md): `task --wait`, `--db` against a server on another database, `init`.
  taskFailed: define('GS_TASK_FAILED', 500, undefined, (message: string) => message),
  taskWaitTimeout: define('GS_TASK_WAIT_TIMEOUT', 504, undefined, (swarm: string, agent: string, id: string, seconds: number) =>
    `no answer to task ${id} from ${swarm}/${agent} within ${seconds} s; the task is still accepted, watch it with: genswarms events -s ${swarm} -a ${agent} --follow`),
  databaseMismatch: define('GS_DATABASE_MISMATCH', 409, undefined, (url: string, serverDb: string, ownDb: string) =>
    `the server at ${url} serves the database ${serverDb}, not ${ownDb}; stop it (genswarms down), point --url at a server on ${ownDb}, or drop --db`),
  directoryNotEmpty: define('GS_DIRECTORY_NOT_EMPTY', 409, undefined, (dir: string) => `${dir} is not empty; pass --force to write into it anyway (existing files with the same names are overwritten)`),
}

/** Attach the validation error list so REST can answer `{valid: false, errors}`. */
export function invalidConfig(errs: string[]): GenswarmsError {
  const err = errors.invalidConfig(errs)
  ;(err as { details: unknown }).details = errs
  return err
}

export function isGenswarmsError(err: unknown): err is GenswarmsError {
  return err instanceof GenswarmsError
}
