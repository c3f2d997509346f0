import type { Permission } from './permissions.js'

/**
 * The services of Emporium, declared once: what the runners (embedded and distributed), the
 * gateway's routing, the test and bench harnesses and the deploy files' tests read, so that a
 * new service is one entry here (docs/adding-a-service.md). The deploy files that must list
 * services (compose, Kustomize, NetworkPolicies, Prometheus) are checked against it by
 * tests/deploy, which fail on drift.
 */

/** What a service keeps its data in, in production (embedded: a schema of the one PGlite). */
export type ServiceDatabase = 'postgres' | 'mysql'

/**
 * Who may call a route: anyone, any holder of a valid access token, or staff only (`admin`: the
 * route's `permission`, or any staff permission when it declares none; issue 19).
 */
export type RouteAccess = 'public' | 'bearer' | 'admin'

/**
 * Stricter limits some routes get at the gateway on top of the per-client one.
 * `password-reset` is limited per client and per account (the e-mail of the body) alike.
 * `guest`: new guests' cart tokens per client.
 */
export type RouteLimit = 'login' | 'register' | 'password-reset' | 'guest'

/**
 * A route's request body beyond the gateway's general limit (GATEWAY_BODY_LIMIT_BYTES):
 * `upload` (a picture) may be as large as GATEWAY_UPLOAD_LIMIT_BYTES.
 */
export type RouteBody = 'upload'

export type RouteMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS'

/**
 * A public route of a service and who may call it: the gateway's outer wall (the service checks
 * the token, and ownership, again itself). The gateway orders every service's routes by how
 * specific they are, so an exception needs no place before the general rule of its prefix.
 */
export interface ServiceRoute {
  /** Methods the route covers; `any` for all. */
  readonly methods: readonly RouteMethod[] | 'any'
  /**
   * Public path: literal segments, `:name` for exactly one segment, and a last `**` for zero or
   * more segments (`/api/v1/cart/**` covers `/api/v1/cart` and everything below it).
   */
  readonly path: string
  readonly access: RouteAccess
  /**
   * The staff permission an `admin` route needs (issue 19): the gateway answers 403 without it.
   * An `admin` route without one lets any staff member through (the service checks its own).
   */
  readonly permission?: Permission
  /** Leading part of the public path the service does not see (default `/api/v1`). */
  readonly strip?: string
  readonly limit?: RouteLimit
  /** A body larger than the gateway's general limit (default: that limit). */
  readonly body?: RouteBody
}

const read = ['GET', 'HEAD'] as const

export interface ServiceDeclaration {
  /** Its folder under `services/`, its package `@emporium/<name>`, its queue and its image. */
  readonly name: string
  /** Prefix of its own variables: `<ENV>_PORT`, `<ENV>_DATABASE_URL`, `<ENV>_<UPSTREAM>_URLS`. */
  readonly env: string
  /** Its port when it runs alone (distributed, compose, Kubernetes). */
  readonly port: number
  /** Its database: `<ENV>_DATABASE_URL`. */
  readonly database: ServiceDatabase
  /** Whether it keeps data in Redis too: `<ENV>_REDIS_URL`. */
  readonly redis: boolean
  /** Whether it verifies access tokens with the users service's keys: `<ENV>_JWKS_URL`. */
  readonly verifiesTokens: boolean
  /** Services it calls over HTTP, each reached through `<ENV>_<UPSTREAM>_URLS`. */
  readonly upstreams: readonly string[]
  /**
   * Services whose service credentials it accepts, checking them with the keys they publish
   * (`/.well-known/service-jwks.json`): it reaches them for those keys.
   */
  readonly trustedCallers: readonly string[]
  /** Public routes the gateway sends to it (API.md), and who may call each. */
  readonly routes: readonly ServiceRoute[]
  /** Whether it may run as several replicas on one database. */
  readonly replicated: boolean
}

/** In start order: the users service first (every other checks tokens with its keys). */
export const serviceDeclarations = [
  {
    name: 'users',
    env: 'USERS',
    port: 8081,
    database: 'mysql',
    redis: false,
    verifiesTokens: false,
    upstreams: [],
    trustedCallers: [],
    routes: [
      { methods: ['POST'], path: '/api/v1/auth/login', access: 'public', limit: 'login' },
      { methods: ['POST'], path: '/api/v1/auth/register', access: 'public', limit: 'register' },
      { methods: ['POST'], path: '/api/v1/auth/refresh', access: 'public' },
      // A guest's cart token (issue 18): anyone, a few per client and window.
      { methods: ['POST'], path: '/api/v1/auth/guest', access: 'public', limit: 'guest' },
      { methods: ['POST'], path: '/api/v1/auth/logout', access: 'bearer' },
      // A signed link cannot be guessed: the general limit is enough. Resending mails someone,
      // and a password change tries the current password: both count as registrations do.
      { methods: ['POST'], path: '/api/v1/auth/verify-email', access: 'public' },
      {
        methods: ['POST'],
        path: '/api/v1/auth/verify-email/resend',
        access: 'bearer',
        limit: 'register',
      },
      { methods: ['POST'], path: '/api/v1/users/me/password', access: 'bearer', limit: 'register' },
      // A reset request mails someone: limited per client and per account (the body's e-mail,
      // whether it has an account or not, so the limit tells nothing about which ones do).
      {
        methods: ['POST'],
        path: '/api/v1/auth/password-reset',
        access: 'public',
        limit: 'password-reset',
      },
      {
        methods: ['POST'],
        path: '/api/v1/auth/password-reset/confirm',
        access: 'public',
        limit: 'password-reset',
      },
      { methods: 'any', path: '/api/v1/users/**', access: 'bearer' },
      // The staff's customers list and page (issue 19).
      {
        methods: read,
        path: '/api/v1/customers/**',
        access: 'admin',
        permission: 'customers.read',
      },
      // Staff and their roles (issue 19): the invitation's link is the key of its acceptance.
      {
        methods: ['POST'],
        path: '/api/v1/staff/invitations/accept',
        access: 'public',
        limit: 'register',
      },
      { methods: 'any', path: '/api/v1/staff/**', access: 'admin', permission: 'staff.manage' },
      { methods: read, path: '/.well-known/jwks.json', access: 'public', strip: '' },
    ],
    replicated: false,
  },
  {
    name: 'catalog',
    env: 'CATALOG',
    port: 8082,
    database: 'postgres',
    redis: false,
    verifiesTokens: true,
    upstreams: [],
    trustedCallers: [],
    // Anyone reads, admins write. Pictures are uploaded as their bytes, larger than a JSON body,
    // and served under their own prefix (product media, issue 17).
    routes: [
      { methods: read, path: '/api/v1/products/**', access: 'public' },
      {
        methods: ['POST'],
        path: '/api/v1/products/:id/media',
        access: 'admin',
        permission: 'catalog.write',
        body: 'upload',
      },
      { methods: 'any', path: '/api/v1/products/**', access: 'admin', permission: 'catalog.write' },
      { methods: read, path: '/api/v1/categories/**', access: 'public' },
      {
        methods: 'any',
        path: '/api/v1/categories/**',
        access: 'admin',
        permission: 'catalog.write',
      },
      { methods: read, path: '/api/v1/media/**', access: 'public' },
    ],
    replicated: true,
  },
  {
    name: 'cart',
    env: 'CART',
    port: 8083,
    database: 'postgres',
    redis: true,
    verifiesTokens: true,
    upstreams: ['catalog'],
    trustedCallers: [],
    // Each shopper's own cart, orders and payments (the services answer 404 for others').
    // A guest's cart (a cart token: `X-Cart-Token` or the gateway's cookie) is a bearer's too; its
    // merge into an account's cart at sign-in clears the gateway's cookie.
    routes: [
      { methods: ['POST'], path: '/api/v1/cart/merge', access: 'bearer' },
      { methods: 'any', path: '/api/v1/cart/**', access: 'bearer' },
    ],
    replicated: true,
  },
  {
    name: 'orders',
    env: 'ORDERS',
    port: 8084,
    database: 'postgres',
    redis: false,
    verifiesTokens: true,
    // Shipping quotes the chosen method's price at placement (issue 18).
    upstreams: ['cart', 'catalog', 'payments', 'shipping'],
    trustedCallers: [],
    routes: [
      {
        methods: ['POST'],
        path: '/api/v1/orders/:id/ship',
        access: 'admin',
        permission: 'orders.fulfil',
      },
      // A new card for an order whose payment failed (issue 18): the owner's, under the general
      // limit as every order write; not under the gateway's placement deadline, which is for
      // the bursts of POST /orders (docs/checkout.md).
      { methods: ['POST'], path: '/api/v1/orders/:id/payment-attempts', access: 'bearer' },
      // A guest's order through the signed link mailed to it (issue 18): the link is the key.
      { methods: ['GET'], path: '/api/v1/order-links/:token', access: 'public' },
      { methods: 'any', path: '/api/v1/orders/**', access: 'bearer' },
      {
        methods: 'any',
        path: '/api/v1/tax-rates/**',
        access: 'admin',
        permission: 'pricing.write',
      },
      {
        methods: 'any',
        path: '/api/v1/promotions/**',
        access: 'admin',
        permission: 'pricing.write',
      },
    ],
    replicated: true,
  },
  {
    name: 'payments',
    env: 'PAYMENTS',
    port: 8085,
    database: 'postgres',
    redis: false,
    verifiesTokens: true,
    upstreams: [],
    trustedCallers: ['orders'],
    routes: [{ methods: 'any', path: '/api/v1/payments/**', access: 'bearer' }],
    replicated: true,
  },
  {
    name: 'notifications',
    env: 'NOTIFICATIONS',
    port: 8086,
    database: 'postgres',
    redis: false,
    verifiesTokens: true,
    upstreams: [],
    trustedCallers: [],
    // The order status stream is what notifications tells shoppers (DESIGN.md): one path under
    // orders' prefix, which the gateway matches before orders' general rule.
    routes: [{ methods: ['GET'], path: '/api/v1/orders/:id/events', access: 'bearer' }],
    replicated: true,
  },
  {
    name: 'shipping',
    env: 'SHIPPING',
    port: 8087,
    database: 'postgres',
    redis: false,
    verifiesTokens: true,
    upstreams: [],
    // Orders asks for quotes at placement with its service credential (issue 18).
    trustedCallers: ['orders'],
    // Quotes are for anyone, a guest at checkout too; zones, methods and shipments are the back
    // office's.
    routes: [
      { methods: ['POST'], path: '/api/v1/shipping/quotes', access: 'public' },
      // Shipments are fulfilment's (read: anyone reading orders); zones and methods shipping's.
      {
        methods: read,
        path: '/api/v1/shipping/shipments/**',
        access: 'admin',
        permission: 'orders.read',
      },
      {
        methods: 'any',
        path: '/api/v1/shipping/shipments/**',
        access: 'admin',
        permission: 'orders.fulfil',
      },
      {
        methods: 'any',
        path: '/api/v1/shipping/**',
        access: 'admin',
        permission: 'shipping.write',
      },
    ],
    replicated: true,
  },
  {
    name: 'reporting',
    env: 'REPORTING',
    port: 8088,
    database: 'postgres',
    redis: false,
    verifiesTokens: true,
    upstreams: [],
    trustedCallers: [],
    // Read models of other services' events (issue 19): the day's figures, a customer's value,
    // an order's timeline, the audit trail. Staff only, each by its permission.
    routes: [
      {
        methods: read,
        path: '/api/v1/reports/customers/**',
        access: 'admin',
        permission: 'customers.read',
      },
      {
        methods: read,
        path: '/api/v1/reports/orders/**',
        access: 'admin',
        permission: 'orders.read',
      },
      { methods: read, path: '/api/v1/reports/**', access: 'admin', permission: 'reports.read' },
      { methods: read, path: '/api/v1/audit/**', access: 'admin', permission: 'audit.read' },
    ],
    replicated: true,
  },
  {
    name: 'webhooks',
    env: 'WEBHOOKS',
    port: 8089,
    database: 'postgres',
    redis: false,
    verifiesTokens: true,
    upstreams: [],
    trustedCallers: [],
    // Partners' endpoints, their secrets, the delivery log and replays (issue 21): staff who
    // manage webhooks only. Deliveries go out to partners' URLs, never in through the gateway.
    routes: [
      {
        methods: 'any',
        path: '/api/v1/webhooks/**',
        access: 'admin',
        permission: 'webhooks.manage',
      },
    ],
    // Replicas share the deliveries: each dispatcher leases the ones it sends.
    replicated: true,
  },
] as const satisfies readonly ServiceDeclaration[]

/** A service behind the gateway. */
export type ServiceName = (typeof serviceDeclarations)[number]['name']

/** The names of the services behind the gateway, in start order. */
export const serviceNames: readonly ServiceName[] = serviceDeclarations.map((s) => s.name)

/** The gateway: the one public entry, started last (it routes to every service). */
export const gatewayDeclaration = {
  name: 'gateway',
  /** `PORT`: the public port. */
  port: 8080,
  /** `GATEWAY_MANAGEMENT_PORT`: metrics and the detailed readiness, never routed publicly. */
  managementPort: 9090,
  env: 'GATEWAY',
  redis: true,
} as const

/** Every deployable process: the services, then the gateway. */
export const deployableNames: readonly string[] = [...serviceNames, gatewayDeclaration.name]

export function declarationOf(name: ServiceName): ServiceDeclaration {
  const found = serviceDeclarations.find((s) => s.name === name)
  if (!found) throw new Error(`no service named ${name}`)
  return found
}

/** The services a service reaches over the network (the NetworkPolicies' egress, in reverse). */
export function dependenciesOf(service: ServiceDeclaration): string[] {
  const needs = new Set<string>([...service.upstreams, ...service.trustedCallers])
  if (service.verifiesTokens) needs.add('users')
  return [...needs]
}

/** The public paths the gateway routes to a service: its routes' paths without a last `/**`. */
export function publicPathsOf(service: ServiceDeclaration): string[] {
  return [...new Set(service.routes.map((route) => route.path.replace(/\/\*\*$/, '')))]
}

/** Who calls a service: the gateway when it has public routes, and its dependents. */
export function callersOf(name: string): string[] {
  const callers = serviceDeclarations
    .filter((s) => dependenciesOf(s).includes(name))
    .map((s) => s.name as string)
  const declared = serviceDeclarations.find((s) => s.name === name)
  return declared && declared.routes.length > 0 ? ['gateway', ...callers] : callers
}

/** Where one service's peers are, for `serviceEnvironment`. */
export interface Addresses {
  /** Comma-separated base URLs of a service's replicas. */
  urlsOf(name: string): string
  /** The users service's key set URL. */
  jwksUrl: string
}

/**
 * The variables that place a service (or the gateway) among the others: its port and host, its
 * peers' URLs, its token keys. Stores, keys and tuning are the caller's (they differ by mode).
 */
export function placementEnvironment(
  name: string,
  listen: { port: number; host: string },
  at: Addresses,
): Record<string, string> {
  if (name === gatewayDeclaration.name) {
    const env: Record<string, string> = { PORT: String(listen.port), HOST: listen.host }
    for (const service of serviceDeclarations) {
      if (service.routes.length > 0) env[`GATEWAY_${service.env}_URLS`] = at.urlsOf(service.name)
    }
    return env
  }
  const service = declarationOf(name as ServiceName)
  const env: Record<string, string> = {
    [`${service.env}_PORT`]: String(listen.port),
    [`${service.env}_HOST`]: listen.host,
  }
  if (service.verifiesTokens) env[`${service.env}_JWKS_URL`] = at.jwksUrl
  for (const upstream of service.upstreams) {
    env[`${service.env}_${declarationOf(upstream as ServiceName).env}_URLS`] = at.urlsOf(upstream)
  }
  return env
}
