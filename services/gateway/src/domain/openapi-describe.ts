import { Problem } from '@emporium/contracts'

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const problemContent = {
  'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
}

// Sent by the gateway on every response it rate-limits (every one under /api/v1), and by
// every service (x-request-id): documented on each response so that generated clients see them.
const commonHeaders: Json = {
  'RateLimit-Limit': { $ref: '#/components/headers/RateLimit-Limit' },
  'RateLimit-Remaining': { $ref: '#/components/headers/RateLimit-Remaining' },
  'RateLimit-Reset': { $ref: '#/components/headers/RateLimit-Reset' },
  'RateLimit-Policy': { $ref: '#/components/headers/RateLimit-Policy' },
  'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' },
}
const retryAfter = { 'Retry-After': { $ref: '#/components/headers/Retry-After' } }

/** The problem responses every operation may share, by status, with what each means here. */
const problems: Record<string, { name: string; description: string; headers?: Json }> = {
  '400': {
    name: 'BadRequest',
    description: 'The request is invalid (`errors` lists the failing fields).',
  },
  '401': {
    name: 'Unauthorized',
    description: 'No bearer token, or one that is invalid, expired or revoked.',
  },
  '403': { name: 'Forbidden', description: 'The caller may not do this (an admin may).' },
  '404': { name: 'NotFound', description: 'No such resource (or not the caller’s).' },
  '409': { name: 'Conflict', description: 'The resource’s state does not allow this now.' },
  '410': { name: 'Gone', description: 'The resource is no longer available.' },
  '413': { name: 'ContentTooLarge', description: 'The request body exceeds the size limit.' },
  '415': {
    name: 'UnsupportedMediaType',
    description: 'The request body is not `application/json`.',
  },
  '422': {
    name: 'UnprocessableContent',
    description: 'The request is well formed but cannot be processed.',
  },
  '429': {
    name: 'TooManyRequests',
    description: 'Rate limited: retry after the seconds `Retry-After` gives.',
    headers: retryAfter,
  },
  '503': {
    name: 'ServiceUnavailable',
    description: 'Temporarily unavailable: retry after the seconds `Retry-After` gives.',
    headers: retryAfter,
  },
}

const successes: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'No Content',
}

/** Components every public document carries: the problem schema, responses and headers. */
export function sharedComponents(): Json {
  const integer = (description: string) => ({ description, schema: { type: 'integer' } })
  return {
    schemas: {
      Problem: {
        ...(JSON.parse(JSON.stringify(Problem)) as Json),
        description: 'An RFC 9457 problem document: the body of every error response.',
      },
    },
    responses: {
      ...Object.fromEntries(
        Object.values(problems).map((problem) => [
          problem.name,
          {
            description: problem.description,
            headers: { ...commonHeaders, ...problem.headers },
            content: problemContent,
          },
        ]),
      ),
      Error: {
        description:
          'Any other error, as a problem document: 500, or 502/503/504 from the gateway when a ' +
          'service does not answer in time.',
        headers: commonHeaders,
        content: problemContent,
      },
    },
    headers: {
      'RateLimit-Limit': integer('Requests allowed in the current window.'),
      'RateLimit-Remaining': integer('Requests left in the current window.'),
      'RateLimit-Reset': integer('Seconds until the quota is whole again.'),
      'RateLimit-Policy': {
        description: 'The quota as `limit;w=window seconds` (IETF RateLimit header fields).',
        schema: { type: 'string' },
      },
      'Retry-After': integer('Seconds to wait before trying again.'),
      'X-Request-Id': {
        description: 'The request’s id, to quote to support (also `instance` of a problem).',
        schema: { type: 'string' },
      },
    },
  }
}

const pascal = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)

/**
 * A stable operation id from the method and public path: `POST /api/v1/orders/{id}/cancel` is
 * `postOrdersByIdCancel`, `GET /.well-known/jwks.json` is `getWellKnownJwksJson`.
 */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/v1(?=\/|$)/, '')
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => {
      const parameter = /^\{(.+)\}$/.exec(segment)
      const parts = (parameter ? parameter[1]! : segment).split(/[^A-Za-z0-9]+/).filter(Boolean)
      return parameter ? ['By', ...parts.map(pascal)] : parts.map(pascal)
    })
  return method.toLowerCase() + words.join('')
}

/**
 * One public operation as a client generator needs it: an operation id, its security from the
 * gateway's access, every response described (problems as `application/problem+json` with the
 * shared `Problem` schema; 400/401/403/404/413/415/429 added where the gateway or platform
 * answers them) and the rate-limit headers on each.
 */
export function describeOperation(
  operation: Json,
  context: {
    method: string
    path: string
    access: string
    /** The permission the gateway's rule needs (an `admin` rule's, issue 19). */
    permission?: string
    pathParameters: unknown
  },
): Json {
  const { path } = context
  // A service may guard a route more strictly than the gateway does (it checks the token
  // itself): it says so with the operation's own `x-emporium-access`, and the stricter wins.
  const strictness = ['public', 'bearer', 'admin']
  const own = String(operation['x-emporium-access'] ?? 'public')
  const access = strictness.indexOf(own) > strictness.indexOf(context.access) ? own : context.access
  // The service's own permission (its route's config) is the precise one; else the gateway's.
  const permission =
    typeof operation['x-emporium-permission'] === 'string'
      ? operation['x-emporium-permission']
      : context.permission
  const parameters = [
    ...(Array.isArray(context.pathParameters) ? context.pathParameters : []),
    ...(Array.isArray(operation.parameters) ? operation.parameters : []),
  ].filter(isObject)
  const hasBody = isObject(operation.requestBody)
  const hasInput = hasBody || parameters.some((p) => p.in === 'query' || p.in === 'path')
  const responses: Json = {}
  const declared = isObject(operation.responses) ? operation.responses : {}
  for (const [status, response] of Object.entries(declared)) {
    if (!isObject(response) || typeof response.$ref === 'string') {
      responses[status] = response
      continue
    }
    const generic =
      response.description === undefined || response.description === 'Default Response'
    const shared = problems[status]
    if (/^[45]/.test(status) || status === 'default') {
      responses[status] =
        generic && shared
          ? { $ref: `#/components/responses/${shared.name}` }
          : {
              description: generic ? 'Error.' : response.description,
              headers: { ...commonHeaders, ...shared?.headers },
              content: problemContent,
            }
    } else {
      responses[status] = {
        ...response,
        description: generic ? (successes[status] ?? 'Success.') : response.description,
        headers: { ...(isObject(response.headers) ? response.headers : {}), ...commonHeaders },
      }
    }
  }
  const add = (status: string, when: boolean) => {
    if (when && !(status in responses)) {
      responses[status] = { $ref: `#/components/responses/${problems[status]!.name}` }
    }
  }
  add('400', hasInput)
  add('401', access !== 'public')
  add('403', access === 'admin')
  add('404', path.includes('{'))
  add('413', hasBody)
  add('415', hasBody)
  add('429', true)
  responses.default ??= { $ref: '#/components/responses/Error' }
  const ordered = Object.fromEntries(
    Object.entries(responses).sort(([a], [b]) => (a === 'default' ? 1 : b === 'default' ? -1 : 0)),
  )
  const described: Json = {
    operationId: operationIdOf(context.method, path),
    ...operation,
    responses: ordered,
    security: access === 'public' ? [] : [{ bearerAuth: [] }],
  }
  if (access !== 'public') {
    const note =
      access !== 'admin'
        ? 'Requires a bearer token.'
        : permission === undefined
          ? 'Requires a bearer token of staff.'
          : `Requires a bearer token of staff with the ${permission} permission.`
    described.description =
      typeof operation.description === 'string' ? `${operation.description}\n\n${note}` : note
    described['x-emporium-access'] = access
    if (access === 'admin' && permission !== undefined) {
      described['x-emporium-permission'] = permission
    }
  }
  return described
}

/**
 * Moves each operation's inline JSON request and success bodies into named component schemas,
 * `<OperationId>Request` and `<OperationId>Response` (the contracts' schemas carry no `$id` to
 * name them by), so that generated clients get named types.
 */
export function nameBodySchemas(document: Json): void {
  const components = document.components as Json
  const schemas = (components.schemas ??= {}) as Json
  const name = (candidate: string) => {
    let unique = candidate
    for (let n = 2; unique in schemas; n++) unique = `${candidate}${n}`
    return unique
  }
  const extract = (content: unknown, label: string) => {
    const media = isObject(content) ? content['application/json'] : undefined
    if (!isObject(media) || !isObject(media.schema) || typeof media.schema.$ref === 'string') return
    const named = name(label)
    schemas[named] = media.schema
    media.schema = { $ref: `#/components/schemas/${named}` }
  }
  for (const item of Object.values(isObject(document.paths) ? document.paths : {})) {
    if (!isObject(item)) continue
    for (const operation of Object.values(item)) {
      if (!isObject(operation) || typeof operation.operationId !== 'string') continue
      const base = pascal(operation.operationId)
      if (isObject(operation.requestBody)) extract(operation.requestBody.content, `${base}Request`)
      const responses = isObject(operation.responses) ? operation.responses : {}
      const successful = Object.entries(responses).filter(([status]) => /^2/.test(status))
      for (const [status, response] of successful) {
        if (!isObject(response)) continue
        const suffix = successful.length > 1 && status !== successful[0]![0] ? status : ''
        extract(response.content, `${base}Response${suffix}`)
      }
    }
  }
}
