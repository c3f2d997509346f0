import {
  earlyAdmission,
  registerEventLoopGuard,
  type AdmissionLimit,
  type JwtVerifier,
  type Registry,
} from '@emporium/platform'
import cors from '@fastify/cors'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, FastifySchema } from 'fastify'
import type { Dispatcher } from 'undici'
import type { OpenApiSource, ProductReader, RateLimitStore, Upstreams } from '../app/ports.js'
import type { ProxyTrust } from '../domain/client-address.js'
import type { RatePolicy } from '../domain/gcra.js'
import {
  cartCookieHeader,
  cartMergePath,
  clearedCartCookieHeader,
  guestTokenPath,
  issuedCartToken,
} from '../domain/cart-token.js'
import { createRouteMatcher } from '../domain/route-match.js'
import { routeTable, type SpecialLimit } from '../domain/route-table.js'
import { apiDocs } from './api-docs.js'
import { passThroughBodies } from './body.js'
import { publicDocument } from './public-document.js'
import { edgeHook, edgeStateOf } from './edge.js'
import { registerCompression } from './compression.js'
import { createGatewayMetrics } from './gateway-metrics.js'
import { loginGuard, type LoginDevices, type LoginPolicies } from './login-guard.js'
import { productPageHead } from './product-page.js'
import { createProxy } from './proxy.js'
import type { ReadCache } from './read-cache.js'
import { resetGuard } from './reset-guard.js'
import { addSecurityHeaders } from './security-headers.js'
import { hasStorefront, serveStorefront } from './storefront.js'

export interface GatewayRoutesOptions {
  verifier: JwtVerifier
  store: RateLimitStore
  upstreams: Upstreams
  openapi: OpenApiSource
  /** The undici dispatcher upstream calls go through (timeouts, connection pools). */
  dispatcher: Dispatcher
  registry: Registry
  trust: ProxyTrust
  /** Origins allowed by CORS (`*` for any); none: no CORS headers at all. */
  corsOrigins: string[]
  bodyLimit: number
  /** The body limit of routes declared `body: 'upload'` (a product picture). */
  uploadLimit: number
  policies: { general: RatePolicy; resetAccount: RatePolicy } & LoginPolicies &
    Record<SpecialLimit, RatePolicy>
  /** Device tokens for logins (login-guard.ts). */
  devices: LoginDevices
  /** The built storefront, served at `/` when it holds an `index.html`. */
  storefrontDir?: string
  /** Reads products for their pages' title and meta; none: product pages are served plain. */
  products?: ProductReader
  /** The shop's public origin for the meta's absolute URLs; empty: the request's. */
  publicUrl?: string
  /** Mean event-loop delay (ms) above which requests are shed with 503 and retry-after; 0: off. */
  maxEventLoopDelayMs?: number
  /**
   * Longest a placement (`POST /api/v1/orders`) may take before the shopper gets 503
   * `HTTP.TIMEOUT` with `retry-after` (the platform's admission deadline) while orders goes on;
   * its Idempotency-Key makes the repeat safe. 0 or none: off.
   */
  placementDeadlineMs?: number
  /**
   * Placements forwarded at once; one more is answered 503 `HTTP.OVERLOADED` with `retry-after`
   * on arrival, before the token check and the rate limits (admission's `early`). None: no limit.
   */
  placementConcurrency?: number
  /** Public reads kept for a moment (read-cache.ts); none: every read reaches its upstream. */
  readCache?: ReadCache
}

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])
// Out of the gateway's own generated document (`/openapi.json`): the public one is merged.
const hidden = { hide: true } as FastifySchema

/**
 * The gateway's routes: the public API under `/api/v1` (and the issuer's JWKS) forwarded by the
 * route table, the merged OpenAPI document and its interactive reference (api-docs.ts), the
 * storefront's pages (or the JSON index at `GET /` without a storefront build). Everything here
 * passes the edge (identity, limits, access) first. The bare `/healthz` is the platform's, outside
 * this plugin (probes are neither limited nor logged); `/readyz` and `/metrics` are served on the
 * management port only (GATEWAY_MANAGEMENT_PORT).
 */
export function gatewayRoutes(options: GatewayRoutesOptions): FastifyPluginAsync {
  return async (app) => {
    const metrics = createGatewayMetrics(options.registry)
    const match = createRouteMatcher(routeTable)
    // First, so that a lagging process sheds before any other work (edge checks, limits).
    if (options.maxEventLoopDelayMs) {
      await registerEventLoopGuard(app, {
        maxEventLoopDelayMs: options.maxEventLoopDelayMs,
        // The storefront's pages and files: refused, they leave a blank page that nothing
        // retries (its API calls wait out retry-after instead). Cheap, from memory or disk.
        exempt: (request) => !request.url.startsWith('/api/'),
        registry: options.registry,
      })
    }

    if (options.corsOrigins.length > 0) {
      await app.register(cors, {
        origin: options.corsOrigins.includes('*') ? '*' : options.corsOrigins,
        methods,
        allowedHeaders: [
          'authorization',
          'content-type',
          'idempotency-key',
          'x-request-id',
          'x-cart-token',
        ],
        exposedHeaders: [
          'ratelimit-limit',
          'ratelimit-remaining',
          'ratelimit-reset',
          'ratelimit-policy',
          'retry-after',
          'x-request-id',
          'location',
        ],
        maxAge: 600,
      })
    }
    addSecurityHeaders(app)
    await registerCompression(app)
    passThroughBodies(app, {
      limit: (request) =>
        edgeStateOf(request).match?.rule.body === 'upload'
          ? options.uploadLimit
          : options.bodyLimit,
      buffer: (request) => edgeStateOf(request).match?.rule.limit !== undefined,
    })
    // Placements past the gateway's limit are shed here, with CORS and the security headers set
    // and before the token check and the rate limits (the route's admission is `early`).
    app.addHook('onRequest', earlyAdmission)
    app.addHook('onRequest', edgeHook({ ...options, match, metrics }))

    const guard = loginGuard({
      store: options.store,
      policies: options.policies,
      devices: options.devices,
      metrics,
    })
    const resetLimit = resetGuard({
      store: options.store,
      policy: options.policies.resetAccount,
      metrics,
    })
    const forward = createProxy({
      dispatcher: options.dispatcher,
      upstreams: options.upstreams,
      trust: options.trust,
      metrics,
    })
    const publicHttps = /^https:/i.test(options.publicUrl ?? '')
    async function proxied(request: FastifyRequest, reply: FastifyReply) {
      const edge = edgeStateOf(request)
      const { rule, upstreamPath } = edge.match! // the edge answered 404 else
      const cache = options.readCache
      const slot =
        rule.limit === undefined ? cache?.slotOf(request, edge, rule.upstream) : undefined
      if (slot !== undefined) {
        const kept = cache!.get(slot)
        metrics.readCache.inc({ route: rule.path, result: kept ? 'hit' : 'miss' })
        if (kept) return reply.headers(kept.headers).code(200).send(kept.body)
      }
      let onStatus = rule.limit === 'login' ? await guard(request, reply) : undefined
      if (rule.limit === 'password-reset') await resetLimit(request, reply)
      const body = Buffer.isBuffer(request.body) ? request.body : undefined
      // A guest's cart token lives in an HttpOnly cookie for browsers (domain/cart-token.ts):
      // set when the users service issues it, cleared once its cart is merged at sign-in.
      const secure = edge.secure || publicHttps
      let inspect: ((status: number, body: Buffer) => void) | undefined
      if (request.method === 'POST' && rule.path === guestTokenPath) {
        inspect = (status, answer) => {
          const issued = status === 201 ? issuedCartToken(answer.toString('utf8')) : undefined
          if (issued) {
            reply.header('set-cookie', cartCookieHeader(issued.token, issued.expiresIn, secure))
          }
        }
      }
      if (request.method === 'POST' && rule.path === cartMergePath) {
        onStatus = (status) => {
          if (status === 200) reply.header('set-cookie', clearedCartCookieHeader(secure))
        }
      }
      // A write is read back at once through this gateway (other instances: within their time
      // to live). Its status is known once forwarded; none if forwarding failed.
      let status: number | undefined
      try {
        await forward(request, reply, {
          upstream: rule.upstream,
          route: rule.path,
          path: upstreamPath,
          body,
          onStatus,
          inspect,
          ...(slot === undefined
            ? {}
            : { keep: (response, answer) => cache!.keep(slot, response, answer) }),
        })
        status = reply.statusCode
      } finally {
        if (!safeMethods.has(request.method)) cache?.wrote(rule.upstream, status)
      }
      return reply
    }
    for (const url of ['/api/v1', '/api/v1/*', '/.well-known/jwks.json']) {
      app.route({
        method: methods,
        url,
        config: { proxied: true },
        schema: hidden,
        handler: proxied,
      })
    }
    if (options.placementDeadlineMs || options.placementConcurrency) {
      // A burst of placements is answered in time, never held past the deadline: the shopper
      // comes back after retry-after with the same key. Those past the limit are shed on
      // arrival, before anything of them ran here or in orders (which keeps its own limit).
      const admission: AdmissionLimit = {
        concurrency: options.placementConcurrency ?? Number.MAX_SAFE_INTEGER,
        queue: 0,
        maxWaitMs: 0,
        early: true,
        ...(options.placementDeadlineMs ? { deadlineMs: options.placementDeadlineMs } : {}),
      }
      app.route({
        method: 'POST',
        url: '/api/v1/orders',
        config: { proxied: true, admission },
        schema: hidden,
        handler: proxied,
      })
    }

    const index = async () => ({
      name: 'Emporium',
      api: '/api/v1',
      docs: '/api/v1/docs',
      openapi: '/api/v1/openapi.json',
      health: { alive: '/healthz' },
    })
    if (options.storefrontDir && hasStorefront(options.storefrontDir)) {
      const head = options.products
        ? productPageHead({
            products: options.products,
            publicUrl: options.publicUrl ?? '',
            trustProxy: options.trust.enabled,
          })
        : undefined
      await serveStorefront(app, options.storefrontDir, index, head)
    } else {
      app.get('/', { schema: hidden }, index)
    }
    app.get('/api/v1/openapi.json', { schema: hidden }, publicDocument(options.openapi, match))
    // Its routes (`/api/v1/docs`, its files under `/api/v1/docs/static/`) are more specific than
    // the proxied `/api/v1/*`, so they are answered here; any other `/api/v1/docs/…` is the edge's
    // 404, as before.
    await app.register(apiDocs({ prefix: '/api/v1/docs', documentUrl: '/api/v1/openapi.json' }))
  }
}
