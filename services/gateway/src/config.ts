import { fileURLToPath } from 'node:url'
import Type from 'typebox'
import { serviceDeclarations } from '@emporium/contracts'
import { loadConfig, SharedConfig } from '@emporium/platform'
import type { UpstreamName } from './domain/route-table.js'

// Comma-separated http(s) base URLs; empty when the service is not deployed (its routes are 503).
const urlList = (service: string) =>
  Type.String({
    default: '',
    pattern: '^\\s*(https?://[^\\s,]+\\s*(,\\s*https?://[^\\s,]+\\s*)*)?$',
    description: `Base URLs of the ${service} service's instances, comma-separated.`,
  })

type Declared = (typeof serviceDeclarations)[number]
/** `GATEWAY_<ENV>_URLS` of a declared service (`GATEWAY_CART_URLS`). */
type UrlsVariable<S extends Declared = Declared> = `GATEWAY_${S['env']}_URLS`
const urlsVariable = <S extends Declared>(service: S) =>
  `GATEWAY_${service.env}_URLS` as UrlsVariable<S>

/** One `GATEWAY_<ENV>_URLS` per declared service (packages/contracts/src/services.ts). */
const upstreamUrlVariables = Object.fromEntries(
  serviceDeclarations.map((service) => [urlsVariable(service), urlList(service.name)]),
) as Record<UrlsVariable, ReturnType<typeof urlList>>

// An http(s) URL with `{name}` and, if it likes, `{port}`, and no other placeholder.
const templatePart = '([^\\s,{}]|\\{name\\}|\\{port\\})*'
const positive = (fallback: number, description: string) =>
  Type.Integer({ minimum: 1, default: fallback, description })

/** The gateway's environment variables. */
export const GatewayConfig = Type.Object({
  ...SharedConfig,
  /** Port of the public API (API.md: 8080 unless PORT says otherwise). */
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8080 }),
  /** Interface to listen on. */
  HOST: Type.String({ default: '0.0.0.0' }),
  /**
   * Port of the management server: `/metrics`, the detailed `/readyz` and `/healthz`, for
   * Prometheus and the probes; never routed by an Ingress. The public port keeps `/healthz` only.
   * 0 picks a free port (tests).
   */
  GATEWAY_MANAGEMENT_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9090 }),
  /** Interface of the management server. */
  GATEWAY_MANAGEMENT_HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  ...upstreamUrlVariables,
  /**
   * The URL of a service whose `GATEWAY_<ENV>_URLS` is empty, from its declared name and port
   * (`http://{name}:{port}`: one variable for a deployment where each service is a host name of
   * its own, as in Kubernetes and compose); empty: such a service is not deployed.
   */
  GATEWAY_UPSTREAM_URL_TEMPLATE: Type.String({
    default: '',
    pattern: `^(https?://${templatePart}\\{name\\}${templatePart})?$`,
    description: 'URL of an upstream without URLs of its own, from {name} and {port}',
  }),
  /** `iss` of access tokens. */
  GATEWAY_JWT_ISSUER: Type.String({ minLength: 1, default: 'emporium-users' }),
  /** `aud` of access tokens. */
  GATEWAY_JWT_AUDIENCE: Type.String({ minLength: 1, default: 'emporium' }),
  /** The issuer's keys; empty: the first users URL + `/.well-known/jwks.json`. */
  GATEWAY_JWKS_URL: Type.String({ default: '', pattern: '^(https?://\\S+)?$' }),
  /** Time for an upstream to start answering (its headers); past it, a 504. */
  GATEWAY_UPSTREAM_TIMEOUT_MS: positive(10_000, 'Upstream answer deadline'),
  /**
   * Longest silence inside a response body (an event stream's upstream should send a comment
   * line more often than this); 0 for none.
   */
  GATEWAY_UPSTREAM_IDLE_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 300_000 }),
  /** How long an instance that refused a connection (or answered 503) is left out. */
  GATEWAY_UPSTREAM_COOLDOWN_MS: positive(5_000, 'Instance cool-down'),
  /**
   * Share of an upstream's calls in the window that got no answer (refused, reset, timed out) or
   * a 502-504, above which its circuit opens. A 500 is the upstream's bug: it never counts.
   */
  GATEWAY_BREAKER_FAILURE_RATIO: Type.Number({
    exclusiveMinimum: 0,
    exclusiveMaximum: 1,
    default: 0.5,
    description: 'Failure ratio that opens a circuit',
  }),
  /** The sliding window over which that ratio is taken. */
  GATEWAY_BREAKER_WINDOW_MS: Type.Integer({ minimum: 1_000, default: 10_000 }),
  /** Calls to an upstream in the window below which its circuit never opens. */
  GATEWAY_BREAKER_MIN_CALLS: positive(20, 'Least calls in the window to open a circuit'),
  /** How long an open circuit refuses calls before letting a trial through. */
  GATEWAY_BREAKER_HALF_OPEN_MS: positive(10_000, 'Open circuit duration'),
  /**
   * Mean event-loop delay (ms, sampled every 200 ms) above which the gateway sheds requests with
   * 503 `HTTP.OVERLOADED` and `retry-after` instead of queueing them; 0 turns the guard off.
   * Probes, metrics and the storefront's pages and files are never shed.
   */
  GATEWAY_MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 500 }),
  /**
   * Longest a placement (`POST /api/v1/orders`, which carries an Idempotency-Key) may take from
   * its arrival here: past it the shopper gets 503 `HTTP.TIMEOUT` with `retry-after` while orders
   * goes on; the same key then replays the order (or waits for it). 0 turns it off.
   */
  GATEWAY_PLACEMENT_DEADLINE_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 1_000 }),
  /**
   * Placements this instance forwards at once: one more is answered 503 `HTTP.OVERLOADED` with
   * `retry-after` on arrival, before its token is checked or anything is asked of orders, so a
   * burst costs the gateway and orders next to nothing for the placements they could not start
   * anyway. Above what orders admits (ORDERS_PLACEMENT_CONCURRENCY + ORDERS_PLACEMENT_QUEUE,
   * 40, times its replicas, shared among the gateway's replicas).
   */
  GATEWAY_PLACEMENT_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 100_000, default: 64 }),
  /**
   * Longest (ms) the gateway keeps a public read that its upstream marks shareable
   * (`surrogate-control`, the catalog's listings, searches and products) to answer the same GET
   * again without asking: it adds to the upstream's own staleness bound (docs/DESIGN.md, "The
   * gateway's read cache"). 0 turns the cache off.
   */
  GATEWAY_READ_CACHE_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 250 }),
  /** Most megabytes of answers the read cache keeps (least recently used go first). */
  GATEWAY_READ_CACHE_MAX_MB: positive(32, 'Read cache size'),
  /** `redis://…` for limits shared by every replica; `memory` (embedded mode): per instance. */
  REDIS_URL: Type.String({ minLength: 1, default: 'memory', pattern: '^(memory|rediss?://\\S+)$' }),
  /** Prefix of the gateway's Redis keys. */
  GATEWAY_REDIS_KEY_PREFIX: Type.String({ default: 'gateway:' }),
  /** Behind a proxy (TLS terminator, load balancer) that sets `x-forwarded-for`/`-proto`. */
  GATEWAY_TRUST_PROXY: Type.Boolean({ default: false }),
  /** How many trusted proxies append to `x-forwarded-for` (the client is the entry before). */
  GATEWAY_TRUSTED_PROXY_HOPS: Type.Integer({ minimum: 1, maximum: 10, default: 1 }),
  /** Origins allowed by CORS, comma-separated, or `*`; empty: no cross-origin access. */
  GATEWAY_CORS_ORIGINS: Type.String({ default: '' }),
  /** Requests per client (user, else address) per minute. */
  GATEWAY_RATE_LIMIT_PER_MINUTE: positive(300, 'Requests per client per minute'),
  /**
   * How often (ms) each gateway instance settles the per-client limit's spends with Redis, in one
   * pipelined round: between rounds it decides locally, so a client spending through R instances
   * may be admitted up to R × max(1, ceil(limit × this / 60 s)) requests beyond the limit
   * (docs/security.md, "How the per-client limit is shared"). 0: every request asks Redis
   * (exact). Login, reset, registration and guest limits are always exact.
   */
  GATEWAY_RATE_LIMIT_SYNC_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 50 }),
  /** Login attempts per client address per login window. */
  GATEWAY_LOGIN_LIMIT_PER_CLIENT: positive(20, 'Login attempts per client'),
  /**
   * Failed logins on one account (e-mail) from clients without a device token of it, before each
   * further one makes the account refuse such clients for a growing delay (below). Failures are
   * forgotten a login window after the last one.
   */
  GATEWAY_LOGIN_FAILURES_PER_ACCOUNT: positive(10, 'Failed logins per account before delays'),
  /** Failed logins per account and client (its device token, else its address) per window. */
  GATEWAY_LOGIN_FAILURES_PER_ACCOUNT_CLIENT: positive(5, 'Failed logins per account and client'),
  /** The first delay past those free failures; each further failure doubles it. */
  GATEWAY_LOGIN_ACCOUNT_DELAY_SECONDS: positive(1, 'First account delay'),
  /** The longest delay: a guesser with any number of addresses gets about one try per this. */
  GATEWAY_LOGIN_ACCOUNT_DELAY_MAX_SECONDS: positive(900, 'Longest account delay'),
  GATEWAY_LOGIN_WINDOW_SECONDS: positive(900, 'Login limits window'),
  /**
   * Keys (32 characters or more, comma-separated) of the device tokens handed out after a
   * successful login: the first signs, all verify (rotation). Every replica needs the same keys.
   * Empty: a random key per process, so a token holds on that instance until it restarts.
   */
  GATEWAY_DEVICE_TOKEN_KEYS: Type.String({
    default: '',
    pattern: '^(\\s*[^,\\s]{32,}\\s*(,\\s*[^,\\s]{32,}\\s*)*)?$',
  }),
  /** How long a device token is honoured (the cookie's lifetime). */
  GATEWAY_DEVICE_TOKEN_DAYS: positive(90, 'Device token lifetime'),
  /** Registrations per client address per registration window. */
  GATEWAY_REGISTER_LIMIT_PER_CLIENT: positive(10, 'Registrations per client'),
  GATEWAY_REGISTER_WINDOW_SECONDS: positive(3_600, 'Registration limit window'),
  /** Password reset requests and confirmations per client address per reset window. */
  GATEWAY_PASSWORD_RESET_LIMIT_PER_CLIENT: positive(10, 'Password resets per client'),
  /** Password reset requests per account (the e-mail asked for) per reset window. */
  GATEWAY_PASSWORD_RESET_LIMIT_PER_ACCOUNT: positive(5, 'Password resets per account'),
  GATEWAY_PASSWORD_RESET_WINDOW_SECONDS: positive(3_600, 'Password reset limit window'),
  /** New guests' cart tokens (`POST /api/v1/auth/guest`) per client address per guest window. */
  GATEWAY_GUEST_LIMIT_PER_CLIENT: positive(30, "Guests' cart tokens per client"),
  GATEWAY_GUEST_WINDOW_SECONDS: positive(3_600, 'Guest limit window'),
  /** Largest request body; more is a 413 (API.md: 1 MiB). */
  GATEWAY_BODY_LIMIT_BYTES: positive(1024 * 1024, 'Request body limit'),
  /**
   * Largest body of an upload route (a product picture: `body: 'upload'` in the service
   * declarations); at least the catalog's CATALOG_MEDIA_MAX_BYTES, which refuses more itself.
   */
  GATEWAY_UPLOAD_LIMIT_BYTES: positive(5 * 1024 * 1024, 'Upload body limit'),
  /** How long the services' OpenAPI documents are cached. */
  GATEWAY_OPENAPI_CACHE_SECONDS: positive(60, 'OpenAPI cache'),
  /** The built storefront served at `/`; empty: the repository's `apps/storefront/dist`. */
  GATEWAY_STOREFRONT_DIR: Type.String({ default: '' }),
  /**
   * The shop's public address (`https://shop.example`), for the absolute links of a product
   * page's meta (canonical, Open Graph, JSON-LD); empty: from the request (its Host, or
   * `x-forwarded-host` and `-proto` behind a trusted proxy).
   */
  GATEWAY_PUBLIC_URL: Type.String({
    default: '',
    pattern: '^(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)?/?$',
    description: "The shop's public origin, for the absolute links of product pages' meta",
  }),
  /**
   * How long a product page waits for the catalog to write its title and meta; past it (or
   * when the catalog fails) the page is served plain. 0 turns the product meta off.
   */
  GATEWAY_PAGE_META_TIMEOUT_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 800 }),
})
export type GatewayConfig = Type.Static<typeof GatewayConfig>

/** What a caller passes in code (the all-in-one, tests): anything left out takes its default. */
export type GatewayConfigInput = Partial<GatewayConfig>

/** Loads and checks the configuration; throws a ConfigError naming the variables. */
export function loadGatewayConfig(
  env: Record<string, string | undefined> = process.env,
): GatewayConfig {
  return loadConfig(GatewayConfig, env)
}

/** Fills defaults and checks values exactly as for the environment. */
export function resolveGatewayConfig(input: GatewayConfigInput): GatewayConfig {
  return loadConfig(GatewayConfig, input)
}

/**
 * Each declared service's base URLs: its `GATEWAY_<ENV>_URLS`, else the URL template filled with
 * its name and port, else none (its routes answer 503).
 */
export function upstreamUrls(config: GatewayConfig): Record<UpstreamName, string[]> {
  const list = (text: string) =>
    text
      .split(',')
      .map((url) => url.trim().replace(/\/+$/, ''))
      .filter(Boolean)
  const template = config.GATEWAY_UPSTREAM_URL_TEMPLATE
  const fromTemplate = (service: Declared) =>
    template
      ? list(template.replaceAll('{name}', service.name).replaceAll('{port}', String(service.port)))
      : []
  return Object.fromEntries(
    serviceDeclarations.map((service) => {
      const urls = list(config[urlsVariable(service)])
      return [service.name, urls.length > 0 ? urls : fromTemplate(service)]
    }),
  ) as Record<UpstreamName, string[]>
}

/** The JWKS URL: configured, else the users service's (undefined when neither is known). */
export function jwksUrl(config: GatewayConfig): string | undefined {
  if (config.GATEWAY_JWKS_URL) return config.GATEWAY_JWKS_URL
  const users = upstreamUrls(config).users[0]
  return users ? `${users}/.well-known/jwks.json` : undefined
}

/** The storefront's build directory: configured, else the repository's `apps/storefront/dist`. */
export function storefrontDir(config: GatewayConfig): string {
  return (
    config.GATEWAY_STOREFRONT_DIR ||
    fileURLToPath(new URL('../../../apps/storefront/dist/', import.meta.url))
  )
}
