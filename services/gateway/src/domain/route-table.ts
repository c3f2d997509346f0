import { serviceNames, type ServiceName } from '@emporium/contracts'

/** The services behind the gateway: those declared in packages/contracts/src/services.ts. */
export const upstreamNames = serviceNames
export type UpstreamName = ServiceName

/** Who may call a route: anyone, any holder of a valid access token, or admins only. */
export const Access = { public: 'public', bearer: 'bearer', admin: 'admin' } as const
export type Access = (typeof Access)[keyof typeof Access]

/** Stricter limits some routes get on top of the per-client one. */
export type SpecialLimit = 'login' | 'register'

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS'

export interface RouteRule {
  /** Methods the rule covers; `any` for all. */
  methods: readonly Method[] | 'any'
  /**
   * Public path: literal segments, `:name` for exactly one segment, and a last `**` for zero or
   * more segments (`/api/v1/cart/**` covers `/api/v1/cart` and everything below it).
   */
  path: string
  upstream: UpstreamName
  access: Access
  /** Leading part of the public path the upstream does not see (default `/api/v1`). */
  strip?: string
  limit?: SpecialLimit
}

const read = ['GET', 'HEAD'] as const

/**
 * The public API (API.md) and who may call it: the one place that decides routing and access.
 * The first rule whose method and path match wins, so exceptions come before the general rule
 * of their prefix. A path no rule matches is a 404 at the gateway. The services check the token
 * again (and ownership) themselves; this table is the outer wall, not the only one.
 */
// prettier-ignore
export const routeTable: readonly RouteRule[] = [
  // Identity: the users service.
  { methods: ['POST'], path: '/api/v1/auth/login', upstream: 'users', access: 'public', limit: 'login' },
  { methods: ['POST'], path: '/api/v1/auth/register', upstream: 'users', access: 'public', limit: 'register' },
  { methods: ['POST'], path: '/api/v1/auth/refresh', upstream: 'users', access: 'public' },
  { methods: ['POST'], path: '/api/v1/auth/logout', upstream: 'users', access: 'bearer' },
  // A signed link cannot be guessed: the general limit is enough. Resending mails someone, and a
  // password change tries the current password: both count as registrations do.
  { methods: ['POST'], path: '/api/v1/auth/verify-email', upstream: 'users', access: 'public' },
  { methods: ['POST'], path: '/api/v1/auth/verify-email/resend', upstream: 'users', access: 'bearer', limit: 'register' },
  { methods: ['POST'], path: '/api/v1/users/me/password', upstream: 'users', access: 'bearer', limit: 'register' },
  { methods: 'any', path: '/api/v1/users/**', upstream: 'users', access: 'bearer' },
  { methods: read, path: '/.well-known/jwks.json', upstream: 'users', access: 'public', strip: '' },
  // Catalog: anyone reads, admins write.
  { methods: read, path: '/api/v1/products/**', upstream: 'catalog', access: 'public' },
  { methods: 'any', path: '/api/v1/products/**', upstream: 'catalog', access: 'admin' },
  { methods: read, path: '/api/v1/categories/**', upstream: 'catalog', access: 'public' },
  { methods: 'any', path: '/api/v1/categories/**', upstream: 'catalog', access: 'admin' },
  // Each shopper's own cart, orders and payments (the services answer 404 for others').
  { methods: 'any', path: '/api/v1/cart/**', upstream: 'cart', access: 'bearer' },
  // The order status stream is what notifications tells shoppers (DESIGN.md).
  { methods: ['GET'], path: '/api/v1/orders/:id/events', upstream: 'notifications', access: 'bearer' },
  { methods: ['POST'], path: '/api/v1/orders/:id/ship', upstream: 'orders', access: 'admin' },
  { methods: 'any', path: '/api/v1/orders/**', upstream: 'orders', access: 'bearer' },
  { methods: 'any', path: '/api/v1/payments/**', upstream: 'payments', access: 'bearer' },
]
