import {
  AppError,
  createJwtVerifier,
  createLogger,
  createMetricsRegistry,
  type JwtVerifier,
  type Logger,
  type Service,
} from '@emporium/platform'
import { randomBytes } from 'node:crypto'
import { Agent } from 'undici'
import { jwksUrl, storefrontDir, upstreamUrls, type GatewayConfig } from './config.js'
import { createDeviceTokens } from './domain/device-token.js'
import { createCatalogProducts } from './infra/catalog-products.js'
import { createMemoryRateLimitStore } from './infra/memory-rate-limit-store.js'
import { createOpenApiSource } from './infra/openapi-documents.js'
import { createRedisRateLimitStore } from './infra/redis-rate-limit-store.js'
import { createSyncedRateLimitStore } from './infra/synced-rate-limit-store.js'
import { createUpstreams } from './infra/upstreams.js'
import { createReadCache } from './http/read-cache.js'
import { gatewayRoutes } from './http/routes.js'

export {
  GatewayConfig,
  loadGatewayConfig,
  resolveGatewayConfig,
  upstreamUrls,
  type GatewayConfigInput,
} from './config.js'

export interface GatewayServiceDeps {
  /** Defaults to a logger of its own at `LOG_LEVEL`. */
  log?: Logger
}

/**
 * The API gateway: the one public entry (`/api/v1`), the storefront's host. In code, build its
 * config with `resolveGatewayConfig(input)` (every setting left out takes its default): in the
 * embedded mode, pass at least the services' URLs.
 */
export function createGatewayService(
  config: GatewayConfig,
  deps: GatewayServiceDeps = {},
): Service {
  const log =
    deps.log ??
    createLogger({ service: 'gateway', level: config.LOG_LEVEL, format: config.LOG_FORMAT })
  const registry = createMetricsRegistry('gateway')
  const urls = upstreamUrls(config)
  const dispatcher = new Agent({
    headersTimeout: config.GATEWAY_UPSTREAM_TIMEOUT_MS,
    bodyTimeout: config.GATEWAY_UPSTREAM_IDLE_TIMEOUT_MS,
    connect: { timeout: Math.min(config.GATEWAY_UPSTREAM_TIMEOUT_MS, 5_000) },
    keepAliveTimeout: 10_000,
  })
  const memory = createMemoryRateLimitStore()
  const redis =
    config.REDIS_URL === 'memory'
      ? undefined
      : createRedisRateLimitStore({
          url: config.REDIS_URL,
          keyPrefix: config.GATEWAY_REDIS_KEY_PREFIX,
          fallback: memory,
          log,
          registry,
        })
  const limits = policies(config)
  // The per-client limit is decided here and settled with Redis in batches; the login, reset,
  // registration and guest limits stay exact, one Redis script per request (docs/security.md).
  const synced =
    redis && config.GATEWAY_RATE_LIMIT_SYNC_MS > 0
      ? createSyncedRateLimitStore({
          shared: redis,
          batched: [limits.general.name],
          syncMs: config.GATEWAY_RATE_LIMIT_SYNC_MS,
          log,
        })
      : undefined
  const keysUrl = jwksUrl(config)
  const verifier = keysUrl
    ? createJwtVerifier({
        jwksUrl: keysUrl,
        issuer: config.GATEWAY_JWT_ISSUER,
        audience: config.GATEWAY_JWT_AUDIENCE,
        log,
        revocations: config.REVOCATIONS_URL,
      })
    : undefined

  const upstreams = createUpstreams(urls, {
    cooldownMs: config.GATEWAY_UPSTREAM_COOLDOWN_MS,
    breaker: {
      failureRatio: config.GATEWAY_BREAKER_FAILURE_RATIO,
      windowMs: config.GATEWAY_BREAKER_WINDOW_MS,
      minimumCalls: config.GATEWAY_BREAKER_MIN_CALLS,
      halfOpenAfterMs: config.GATEWAY_BREAKER_HALF_OPEN_MS,
    },
    registry,
    log,
  })
  // Product pages' title and meta (pre-rendered, not server-side rendering: README, Storefront).
  const products =
    urls.catalog.length > 0 && config.GATEWAY_PAGE_META_TIMEOUT_MS > 0
      ? createCatalogProducts({
          upstreams,
          dispatcher,
          timeoutMs: config.GATEWAY_PAGE_META_TIMEOUT_MS,
        })
      : undefined

  return {
    name: 'gateway',
    registry,
    routes: gatewayRoutes({
      maxEventLoopDelayMs: config.GATEWAY_MAX_EVENT_LOOP_DELAY_MS,
      placementDeadlineMs: config.GATEWAY_PLACEMENT_DEADLINE_MS,
      placementConcurrency: config.GATEWAY_PLACEMENT_CONCURRENCY,
      readCache: createReadCache({
        ttlMs: config.GATEWAY_READ_CACHE_MS,
        maxBytes: config.GATEWAY_READ_CACHE_MAX_MB * 1024 * 1024,
      }),
      verifier: verifier ?? noKeys,
      store: synced ?? redis ?? memory,
      upstreams,
      openapi: createOpenApiSource({
        urls,
        dispatcher,
        cacheMs: config.GATEWAY_OPENAPI_CACHE_SECONDS * 1000,
        log,
      }),
      dispatcher,
      registry,
      trust: { enabled: config.GATEWAY_TRUST_PROXY, hops: config.GATEWAY_TRUSTED_PROXY_HOPS },
      corsOrigins: list(config.GATEWAY_CORS_ORIGINS),
      bodyLimit: config.GATEWAY_BODY_LIMIT_BYTES,
      uploadLimit: config.GATEWAY_UPLOAD_LIMIT_BYTES,
      policies: limits,
      devices: {
        tokens: createDeviceTokens(deviceKeys(config), config.GATEWAY_DEVICE_TOKEN_DAYS * dayMs),
        lifetimeSeconds: config.GATEWAY_DEVICE_TOKEN_DAYS * 86_400,
      },
      storefrontDir: storefrontDir(config),
      products,
      publicUrl: config.GATEWAY_PUBLIC_URL,
    }),
    readiness: redis ? [{ name: 'redis', check: () => redis.readiness() }] : [],
    // Metrics and the detailed readiness stay off the public port (its `/healthz` is bare).
    management: { port: config.GATEWAY_MANAGEMENT_PORT, host: config.GATEWAY_MANAGEMENT_HOST },
    // Clients may send a traceparent; it is linked from the gateway's own trace, not continued.
    incomingTrace: 'link',
    // The edge's access log: one line per request at info (the services behind log it at debug).
    accessLog: 'info',
    async start() {
      await redis?.start()
      synced?.start()
      // Warms the key cache; a users service not up yet is asked again on the first token.
      void verifier?.keys.refresh()
    },
    async close() {
      await synced?.close()
      await redis?.close()
      await dispatcher.close()
    },
  }
}

function policies(config: GatewayConfig) {
  const loginWindowMs = config.GATEWAY_LOGIN_WINDOW_SECONDS * 1000
  return {
    general: { name: 'client', limit: config.GATEWAY_RATE_LIMIT_PER_MINUTE, periodMs: 60_000 },
    login: { name: 'login', limit: config.GATEWAY_LOGIN_LIMIT_PER_CLIENT, periodMs: loginWindowMs },
    account: {
      name: 'login-account',
      freeFailures: config.GATEWAY_LOGIN_FAILURES_PER_ACCOUNT,
      baseDelayMs: config.GATEWAY_LOGIN_ACCOUNT_DELAY_SECONDS * 1000,
      maxDelayMs: config.GATEWAY_LOGIN_ACCOUNT_DELAY_MAX_SECONDS * 1000,
      windowMs: loginWindowMs,
    },
    accountClient: {
      name: 'login-account-client',
      limit: config.GATEWAY_LOGIN_FAILURES_PER_ACCOUNT_CLIENT,
      periodMs: loginWindowMs,
    },
    register: {
      name: 'register',
      limit: config.GATEWAY_REGISTER_LIMIT_PER_CLIENT,
      periodMs: config.GATEWAY_REGISTER_WINDOW_SECONDS * 1000,
    },
    'password-reset': {
      name: 'password-reset',
      limit: config.GATEWAY_PASSWORD_RESET_LIMIT_PER_CLIENT,
      periodMs: config.GATEWAY_PASSWORD_RESET_WINDOW_SECONDS * 1000,
    },
    guest: {
      name: 'guest',
      limit: config.GATEWAY_GUEST_LIMIT_PER_CLIENT,
      periodMs: config.GATEWAY_GUEST_WINDOW_SECONDS * 1000,
    },
    resetAccount: {
      name: 'password-reset-account',
      limit: config.GATEWAY_PASSWORD_RESET_LIMIT_PER_ACCOUNT,
      periodMs: config.GATEWAY_PASSWORD_RESET_WINDOW_SECONDS * 1000,
    },
  }
}

const dayMs = 86_400_000

/** The configured device-token keys, else one random key of this process's own. */
function deviceKeys(config: GatewayConfig): string[] {
  const keys = list(config.GATEWAY_DEVICE_TOKEN_KEYS)
  return keys.length > 0 ? keys : [randomBytes(32).toString('base64url')]
}

const list = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)

/** Without a users service or JWKS URL no token can be checked: protected routes are a 503. */
const noKeys: JwtVerifier = {
  async verify() {
    throw new AppError('unavailable', 'AUTH.KEYS_UNAVAILABLE', 'Tokens cannot be verified now.')
  },
}
