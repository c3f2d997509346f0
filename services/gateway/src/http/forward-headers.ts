import type { IncomingHttpHeaders } from 'node:http'

type Headers = Record<string, string | string[] | number | undefined>

/*
 * Headers by which a client could claim an identity, should a service (or a library in one)
 * ever read them. The gateway removes them from every request: services learn who calls only
 * from the access token, which they verify again.
 */
const identityPrefixes = [
  'x-user', // x-user-id, x-user-roles, x-userid, …
  'x-identity',
  'x-authenticated-',
  'x-auth-',
  'x-remote-user',
  'remote-user',
  'x-forwarded-user',
  'x-forwarded-email',
  'x-gateway-',
  // x-service-authorization: a service credential is signed by the calling service, never a
  // client; the gateway calls no internal route, so none ever passes through it.
  'x-service-',
]

// One test per header instead of one per prefix (every request's every header goes through it).
const identityPattern = new RegExp(`^(${identityPrefixes.join('|')})`, 'i')

export function isIdentityHeader(name: string): boolean {
  return identityPattern.test(name)
}

/** Deletes identity headers in place; returns the names removed (for the log). */
export function stripIdentityHeaders(headers: Headers): string[] {
  const removed: string[] = []
  for (const name of Object.keys(headers)) {
    if (isIdentityHeader(name)) {
      delete headers[name]
      removed.push(name)
    }
  }
  return removed
}

// Set by the gateway itself below; a client's own values are never passed on.
const replacedByGateway = new Set([
  'forwarded',
  'x-real-ip',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-request-id',
  'x-correlation-id',
  'traceparent',
  'tracestate',
])

export interface ForwardContext {
  /** The whole `x-forwarded-for` chain to send (trusted entries plus the peer). */
  forwardedFor: string
  /** `http` or `https`, as the client reached the edge. */
  proto: string
  /** The host the client asked for. */
  host: string | undefined
  requestId: string
  correlationId: string
  /** `traceparent` (and `tracestate`) of the gateway's span for this request. */
  trace: Record<string, string>
  /** The request goes without a body (a GET's is dropped): no length or type to announce. */
  bodyless?: boolean
}

const bodyHeaders = new Set([
  'content-length',
  'transfer-encoding',
  'content-type',
  'content-encoding',
])

/*
 * Hop-by-hop headers (RFC 9110 7.6.1) of the client's connection to the gateway, never the
 * upstream's business, with the headers `Connection` names; `expect` too, which the gateway's own
 * server has answered; `host`, which names the upstream (set by the proxy). Undici refuses a
 * request that carries most of them: forwarded, they made a 502 that counted against the
 * upstream. A body's framing is undici's: the length of a buffered or declared body, else chunks.
 */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'expect',
  'host',
])

/** The header names a `Connection` header lists (hop-by-hop too), lower-cased. */
function connectionNamed(value: Headers[string]): Set<string> | undefined {
  if (value === undefined) return undefined
  const names = (Array.isArray(value) ? value.join(',') : String(value))
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && name !== 'close' && name !== 'keep-alive')
  return names.length > 0 ? new Set(names) : undefined
}

/**
 * What the upstream receives: the client's headers (Authorization unchanged, for the service
 * to verify) without identity headers, with the gateway's request id, trace context and
 * `x-forwarded-*`.
 */
export function upstreamRequestHeaders(incoming: Headers, context: ForwardContext): Headers {
  const out: Headers = {}
  const named = connectionNamed(incoming.connection)
  for (const name in incoming) {
    const lower = name.toLowerCase()
    if (replacedByGateway.has(lower) || hopByHop.has(lower) || isIdentityHeader(lower)) continue
    if (context.bodyless && bodyHeaders.has(lower)) continue
    if (named?.has(lower)) continue
    out[lower] = incoming[name]
  }
  out['x-forwarded-for'] = context.forwardedFor
  out['x-forwarded-proto'] = context.proto
  if (context.host) out['x-forwarded-host'] = context.host
  out['x-request-id'] = context.requestId
  out['x-correlation-id'] = context.correlationId
  Object.assign(out, context.trace)
  return out
}

// The gateway's own concern (CORS, rate limits, transport security) or internals of a service.
const droppedFromResponses = new Set([
  'x-request-id',
  // For the gateway's read cache (read-cache.ts), not for clients or caches beyond.
  'surrogate-control',
  'server',
  'x-powered-by',
  'strict-transport-security',
  'connection',
  'keep-alive',
  'transfer-encoding',
])
const droppedPrefixes = /^(ratelimit-|x-ratelimit-|access-control-|:)/

/** An upstream's response headers as the client gets them. */
export function clientResponseHeaders(upstream: IncomingHttpHeaders | Headers): Headers {
  const out: Headers = {}
  for (const name in upstream) {
    const lower = name.toLowerCase()
    if (droppedFromResponses.has(lower) || droppedPrefixes.test(lower)) continue
    out[lower] = upstream[name]
  }
  return out
}
