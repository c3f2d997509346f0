import { describe, expect, it } from 'vitest'
import { canonicalSegments, createRouteMatcher } from './route-match.js'
import { routeTable } from './route-table.js'

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

describe('the route table', () => {
  it.each([
    ['POST', '/api/v1/auth/register', 'users', 'public', '/auth/register'],
    ['POST', '/api/v1/auth/login', 'users', 'public', '/auth/login'],
    ['POST', '/api/v1/auth/refresh', 'users', 'public', '/auth/refresh'],
    ['POST', '/api/v1/auth/logout', 'users', 'bearer', '/auth/logout'],
    ['GET', '/api/v1/users/me', 'users', 'bearer', '/users/me'],
    ['PATCH', '/api/v1/users/me', 'users', 'bearer', '/users/me'],
    ['GET', '/.well-known/jwks.json', 'users', 'public', '/.well-known/jwks.json'],
    ['GET', '/api/v1/products', 'catalog', 'public', '/products'],
    ['HEAD', '/api/v1/products/p1', 'catalog', 'public', '/products/p1'],
    ['POST', '/api/v1/products', 'catalog', 'admin', '/products'],
    ['PATCH', '/api/v1/products/p1', 'catalog', 'admin', '/products/p1'],
    ['DELETE', '/api/v1/products/p1', 'catalog', 'admin', '/products/p1'],
    ['PUT', '/api/v1/products/p1/stock', 'catalog', 'admin', '/products/p1/stock'],
    ['GET', '/api/v1/categories', 'catalog', 'public', '/categories'],
    ['POST', '/api/v1/categories', 'catalog', 'admin', '/categories'],
    ['GET', '/api/v1/cart', 'cart', 'bearer', '/cart'],
    ['POST', '/api/v1/cart/items', 'cart', 'bearer', '/cart/items'],
    ['PATCH', '/api/v1/cart/items/p1', 'cart', 'bearer', '/cart/items/p1'],
    ['DELETE', '/api/v1/cart', 'cart', 'bearer', '/cart'],
    ['POST', '/api/v1/orders', 'orders', 'bearer', '/orders'],
    ['GET', '/api/v1/orders', 'orders', 'bearer', '/orders'],
    ['GET', '/api/v1/orders/o1', 'orders', 'bearer', '/orders/o1'],
    ['POST', '/api/v1/orders/o1/cancel', 'orders', 'bearer', '/orders/o1/cancel'],
    ['POST', '/api/v1/orders/o1/ship', 'orders', 'admin', '/orders/o1/ship'],
    ['GET', '/api/v1/orders/o1/events', 'notifications', 'bearer', '/orders/o1/events'],
    ['GET', '/api/v1/payments', 'payments', 'bearer', '/payments'],
    ['POST', '/api/v1/payments/x/refund', 'payments', 'bearer', '/payments/x/refund'],
  ])('%s %s → %s (%s) %s', (method, path, upstream, access, upstreamPath) => {
    expect(route(method, path)).toMatchObject({ upstream, access, path: upstreamPath })
  })

  it('marks the stricter limits of login and registration', () => {
    expect(route('POST', '/api/v1/auth/login')?.limit).toBe('login')
    expect(route('POST', '/api/v1/auth/register')?.limit).toBe('register')
    expect(route('POST', '/api/v1/auth/refresh')?.limit).toBeUndefined()
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

  it('gives every spelling of a path the same rule, and forwards it canonical', () => {
    expect(route('POST', '/api/v1/orders/o1/%73hip')).toMatchObject({
      access: 'admin',
      path: '/orders/o1/ship',
    })
    expect(route('POST', '//api/v1/orders//o1/ship/')).toMatchObject({ access: 'admin' })
    expect(route('GET', '/api/v1/products/a%2Fb')).toMatchObject({ path: '/products/a%2Fb' })
    expect(route('GET', '/api/v1/products/caf%c3%a9')).toMatchObject({
      path: '/products/caf%C3%A9',
    })
    expect(route('GET', '/api/v1/products/a%20b')).toMatchObject({ path: '/products/a%20b' })
  })

  it('refuses dot segments, bad encodings and control characters', () => {
    for (const path of [
      '/api/v1/a/../users',
      '/api/v1/%2e%2e/x',
      '/api/v1/./x',
      '/api/v1/%zz',
      '/api/v1/a%00b',
    ]) {
      expect(() => canonicalSegments(path), path).toThrow(
        expect.objectContaining({ code: 'HTTP.BAD_PATH' }),
      )
    }
  })
})
