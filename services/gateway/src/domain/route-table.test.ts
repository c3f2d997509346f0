import { describe, expect, it } from 'vitest'
import { publicPathsOf, serviceDeclarations, type ServiceRoute } from '@emporium/contracts'
import { canonicalSegments, createRouteMatcher } from './route-match.js'
import { buildRouteTable, routeTable, upstreamNames } from './route-table.js'

const match = createRouteMatcher(routeTable)
const route = (method: string, path: string) => {
  const found = match(method, canonicalSegments(path))
  return (
    found && {
      upstream: found.rule.upstream,
      access: found.rule.access,
      path: found.upstreamPath,
      limit: found.rule.limit,
    }
  )
}

// The public API as the hand-written table routed it before the routes moved into the
// declaration (packages/contracts/src/services.ts): who gets each request, who may send it, the
// path the service sees and the stricter limit. Exceptions under another rule's prefix are here
// with their neighbours on both sides, so a wrong order of the built table fails.
describe('the route table built from the declared services', () => {
  it.each([
    ['POST', '/api/v1/auth/register', 'users', 'public', '/auth/register', 'register'],
    ['POST', '/api/v1/auth/login', 'users', 'public', '/auth/login', 'login'],
    ['POST', '/api/v1/auth/refresh', 'users', 'public', '/auth/refresh', undefined],
    ['POST', '/api/v1/auth/logout', 'users', 'bearer', '/auth/logout', undefined],
    ['POST', '/api/v1/auth/verify-email', 'users', 'public', '/auth/verify-email', undefined],
    [
      'POST',
      '/api/v1/auth/verify-email/resend',
      'users',
      'bearer',
      '/auth/verify-email/resend',
      'register',
    ],
    ['POST', '/api/v1/users/me/password', 'users', 'bearer', '/users/me/password', 'register'],
    ['PUT', '/api/v1/users/me/password', 'users', 'bearer', '/users/me/password', undefined],
    [
      'POST',
      '/api/v1/auth/password-reset',
      'users',
      'public',
      '/auth/password-reset',
      'password-reset',
    ],
    [
      'POST',
      '/api/v1/auth/password-reset/confirm',
      'users',
      'public',
      '/auth/password-reset/confirm',
      'password-reset',
    ],
    ['GET', '/api/v1/users/me/addresses', 'users', 'bearer', '/users/me/addresses', undefined],
    [
      'DELETE',
      '/api/v1/users/me/addresses/a1',
      'users',
      'bearer',
      '/users/me/addresses/a1',
      undefined,
    ],
    ['GET', '/api/v1/users/me', 'users', 'bearer', '/users/me', undefined],
    ['PATCH', '/api/v1/users/me', 'users', 'bearer', '/users/me', undefined],
    ['GET', '/api/v1/users', 'users', 'bearer', '/users', undefined],
    ['GET', '/.well-known/jwks.json', 'users', 'public', '/.well-known/jwks.json', undefined],
    ['HEAD', '/.well-known/jwks.json', 'users', 'public', '/.well-known/jwks.json', undefined],
    ['GET', '/api/v1/products', 'catalog', 'public', '/products', undefined],
    ['HEAD', '/api/v1/products/p1', 'catalog', 'public', '/products/p1', undefined],
    ['POST', '/api/v1/products', 'catalog', 'admin', '/products', undefined],
    ['PATCH', '/api/v1/products/p1', 'catalog', 'admin', '/products/p1', undefined],
    ['DELETE', '/api/v1/products/p1', 'catalog', 'admin', '/products/p1', undefined],
    ['PUT', '/api/v1/products/p1/stock', 'catalog', 'admin', '/products/p1/stock', undefined],
    ['OPTIONS', '/api/v1/products', 'catalog', 'admin', '/products', undefined],
    ['GET', '/api/v1/categories', 'catalog', 'public', '/categories', undefined],
    ['HEAD', '/api/v1/categories/c1', 'catalog', 'public', '/categories/c1', undefined],
    ['POST', '/api/v1/categories', 'catalog', 'admin', '/categories', undefined],
    ['GET', '/api/v1/cart', 'cart', 'bearer', '/cart', undefined],
    ['POST', '/api/v1/cart/items', 'cart', 'bearer', '/cart/items', undefined],
    ['PATCH', '/api/v1/cart/items/p1', 'cart', 'bearer', '/cart/items/p1', undefined],
    ['DELETE', '/api/v1/cart', 'cart', 'bearer', '/cart', undefined],
    ['POST', '/api/v1/orders', 'orders', 'bearer', '/orders', undefined],
    ['GET', '/api/v1/orders', 'orders', 'bearer', '/orders', undefined],
    ['GET', '/api/v1/orders/o1', 'orders', 'bearer', '/orders/o1', undefined],
    ['POST', '/api/v1/orders/o1/cancel', 'orders', 'bearer', '/orders/o1/cancel', undefined],
    ['POST', '/api/v1/orders/o1/ship', 'orders', 'admin', '/orders/o1/ship', undefined],
    ['GET', '/api/v1/orders/o1/ship', 'orders', 'bearer', '/orders/o1/ship', undefined],
    ['GET', '/api/v1/orders/o1/events', 'notifications', 'bearer', '/orders/o1/events', undefined],
    ['HEAD', '/api/v1/orders/o1/events', 'orders', 'bearer', '/orders/o1/events', undefined],
    ['POST', '/api/v1/orders/o1/events', 'orders', 'bearer', '/orders/o1/events', undefined],
    ['GET', '/api/v1/orders/o1/events/x', 'orders', 'bearer', '/orders/o1/events/x', undefined],
    ['GET', '/api/v1/payments', 'payments', 'bearer', '/payments', undefined],
    ['POST', '/api/v1/payments/x/refund', 'payments', 'bearer', '/payments/x/refund', undefined],
    // Quotes are anyone's (a guest at checkout); the rest of shipping is the back office's.
    ['POST', '/api/v1/shipping/quotes', 'shipping', 'public', '/shipping/quotes', undefined],
    ['GET', '/api/v1/shipping/quotes', 'shipping', 'admin', '/shipping/quotes', undefined],
    ['GET', '/api/v1/shipping/zones', 'shipping', 'admin', '/shipping/zones', undefined],
    ['POST', '/api/v1/shipping/shipments', 'shipping', 'admin', '/shipping/shipments', undefined],
  ] as const)('%s %s → %s (%s) %s', (method, path, upstream, access, upstreamPath, limit) => {
    expect(route(method, path)).toEqual({ upstream, access, path: upstreamPath, limit })
  })

  it('knows no other path', () => {
    for (const [method, path] of [
      ['GET', '/api/v1'],
      ['GET', '/api/v1/auth/login'],
      ['POST', '/api/v1/auth/admin'],
      ['GET', '/api/v1/productsx'],
      ['GET', '/api/v2/products'],
      ['GET', '/products'],
      ['POST', '/.well-known/jwks.json'],
      ['GET', '/api/v1/Orders'],
    ] as const) {
      expect(route(method, path), `${method} ${path}`).toBeUndefined()
    }
  })

  it('holds every declared route once, and routes to every service that declares any', () => {
    const declared = serviceDeclarations.flatMap((s) =>
      s.routes.map((r) => ({ ...r, upstream: s.name })),
    )
    expect(routeTable).toHaveLength(declared.length)
    expect(routeTable).toEqual(expect.arrayContaining(declared))
    expect([...new Set(routeTable.map((r) => r.upstream))].sort()).toEqual(
      serviceDeclarations
        .filter((s) => s.routes.length > 0)
        .map((s) => s.name)
        .sort(),
    )
    for (const rule of routeTable) expect(upstreamNames).toContain(rule.upstream)
  })

  it('leaves no declared rule unreachable behind a more general one before it', () => {
    // A rule's own path (each `:name` and `**` filled in) must reach that rule, for one of its
    // methods: otherwise an earlier rule swallows it and the declaration says something false.
    for (const rule of routeTable) {
      const path = rule.path.replace(/\/\*\*$/, '/x').replace(/:[^/]+/g, 'x')
      const method = rule.methods === 'any' ? 'DELETE' : rule.methods[0]!
      const found = match(method, canonicalSegments(path))
      expect(found?.rule, `${method} ${rule.path}`).toBe(rule)
    }
  })

  it('derives the public paths of a service from its routes', () => {
    const [first] = serviceDeclarations
    expect(publicPathsOf(first)).toEqual([
      ...new Set(first.routes.map((r) => r.path.replace(/\/\*\*$/, ''))),
    ])
    expect(publicPathsOf({ ...first, routes: [] })).toEqual([])
  })
})

describe('building a route table', () => {
  const rule = (path: string, methods: ServiceRoute['methods'] = 'any'): ServiceRoute => ({
    methods,
    path,
    access: 'bearer',
  })
  const order = (declarations: Array<{ name: string; routes: ServiceRoute[] }>) =>
    buildRouteTable(declarations).map((r) => `${r.upstream} ${r.path} ${String(r.methods)}`)

  it('puts exceptions before the general rule of their prefix, across services', () => {
    expect(
      order([
        { name: 'a', routes: [rule('/api/v1/a/**'), rule('/api/v1/a/:id/ship', ['POST'])] },
        { name: 'b', routes: [rule('/api/v1/a/:id/events', ['GET'])] },
        { name: 'c', routes: [rule('/api/v1/c/x/**'), rule('/api/v1/c/**', ['GET'])] },
      ]),
    ).toEqual([
      'a /api/v1/a/:id/ship POST',
      'b /api/v1/a/:id/events GET',
      'c /api/v1/c/x/** any',
      'c /api/v1/c/** GET',
      'a /api/v1/a/** any',
    ])
  })

  it('puts named methods before `any` on the same path, and keeps declaration order otherwise', () => {
    expect(
      order([
        { name: 'a', routes: [rule('/p/**'), rule('/p/**', ['GET', 'HEAD'])] },
        { name: 'b', routes: [rule('/q/**'), rule('/r/**'), rule('/q/**', ['POST'])] },
      ]),
    ).toEqual(['a /p/** GET,HEAD', 'b /q/** POST', 'a /p/** any', 'b /q/** any', 'b /r/** any'])
  })

  it('puts a literal segment before a `:name` at the same place', () => {
    expect(order([{ name: 'a', routes: [rule('/a/:id/x'), rule('/a/b/:id')] }])).toEqual([
      'a /a/b/:id any',
      'a /a/:id/x any',
    ])
  })
})
