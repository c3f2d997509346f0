import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { createInProcessBus, createLogger, startService } from '@emporium/platform'
import { testServers } from '@emporium/platform/testing'
import { afterAll, expect, it } from 'vitest'
import { loadCartConfig } from '../src/config.js'
import { createCartService } from '../src/service.js'
import { createRedisCartStore } from '../src/infra/redis-cart-store.js'
import { localServer, tokenIssuer } from './http-support.js'
import { cartOf, orderConfirmed } from './order-confirmed-suite.js'

// The production wiring: carts in Redis (with their idle TTL), the rest in the SQL database.
const log = createLogger({ service: 'cart', level: 'silent' })
const prefix = `test:cart-svc:${randomBytes(6).toString('hex')}:`
const redis = new Redis(testServers.redis)
const cleanups: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
  await redis.quit()
})

it('keeps carts in Redis with a 30-day idle TTL, and a broken or hung catalog is a quick 503', async () => {
  let mode: 'ok' | 'broken' | 'hung' = 'ok'
  const catalog = await localServer((_method, path) => {
    if (mode === 'broken') return { status: 200, body: { not: 'a product' } }
    if (mode === 'hung') return { status: 0 }
    return path === '/products/p1'
      ? {
          status: 200,
          body: {
            id: 'p1',
            sku: 'S1',
            name: 'Chair',
            description: 'A chair',
            price: { amount: 4900, currency: 'EUR' },
            category: { id: 'c', name: 'C', slug: 'c' },
            imageUrl: '/i.svg',
            available: 3,
            createdAt: '2026-01-01T00:00:00.000Z',
          },
        }
      : { status: 404 }
  })
  cleanups.push(catalog.stop)
  const issuer = await tokenIssuer()
  cleanups.push(issuer.stop)
  const config = loadCartConfig({
    CART_REDIS_URL: testServers.redis,
    CART_DATABASE_URL: 'pglite:memory',
    CART_CATALOG_URLS: `${catalog.url},${catalog.url}`,
    CART_JWKS_URL: issuer.jwksUrl,
    CART_CATALOG_TIMEOUT_MS: '300',
    LOG_LEVEL: 'silent',
  })
  const bus = createInProcessBus({ log })
  const service = await createCartService(config, {
    log,
    redisKeyPrefix: prefix,
    catalogClient: { retries: 0 },
  })
  const running = await startService(service, { port: 0, log, bus })
  cleanups.push(async () => {
    await running.stopHttp()
    await bus.close()
    await running.close()
  })
  const token = await issuer.sign('redis-user')
  const post = (body: unknown) =>
    fetch(`${running.url}/cart/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  const res = await post({ productId: 'p1', quantity: 2 })
  expect(res.status).toBe(200)
  expect(await res.json()).toMatchObject({ subtotal: { amount: 9800, currency: 'EUR' } })
  const ttl = await redis.pttl(`${prefix}cart:redis-user`)
  expect(ttl).toBeGreaterThan(29 * 86_400_000)
  expect((await fetch(`${running.url}/readyz`)).status).toBe(200)

  // An answer that is not a product (a broken catalog) is also "unavailable", never trusted.
  mode = 'broken'
  const broken = await post({ productId: 'p1', quantity: 1 })
  expect(broken.status).toBe(503)
  expect(broken.headers.get('retry-after')).toBeTruthy()

  // A catalog that never answers: the timeout turns it into a 503 (not a hung request).
  mode = 'hung'
  const started = Date.now()
  const hung = await post({ productId: 'p1', quantity: 1 })
  expect(hung.status).toBe(503)
  expect(((await hung.json()) as { code: string }).code).toBe('CART.CATALOG_UNAVAILABLE')
  expect(Date.now() - started).toBeLessThan(1_500)
})

it("takes the order's lines out of the Redis cart on order.confirmed; a redelivery is skipped", async () => {
  const config = loadCartConfig({
    CART_REDIS_URL: testServers.redis,
    CART_DATABASE_URL: 'pglite:memory',
    // Never called: settling an order needs no catalog and no token.
    CART_CATALOG_URLS: 'http://127.0.0.1:9',
    CART_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    LOG_LEVEL: 'silent',
  })
  const bus = createInProcessBus({ log, retry: { delaysMs: [10] } })
  const service = await createCartService(config, { log, redisKeyPrefix: prefix })
  const running = await startService(service, { port: 0, log, bus })
  cleanups.push(async () => {
    await running.stopHttp()
    await bus.close()
    await running.close()
  })
  const carts = createRedisCartStore({ redis, keyPrefix: prefix, ttlMs: 86_400_000 })
  // The buyer ordered p1 × 1, then added p2 before the confirmation came.
  await carts.save(
    cartOf('buyer', 1, [
      ['p1', 1],
      ['p2', 1],
    ]),
    0,
  )
  await carts.save(cartOf('bystander'), 0)

  const event = orderConfirmed('buyer', [['p1', 1]])
  await bus.publish(event)
  const lines = async (userId: string) =>
    (await carts.get(userId))?.lines.map((l) => [l.productId, l.quantity])
  expect(await lines('buyer')).toEqual([['p2', 1]])
  expect(await lines('bystander')).toEqual([['p1', 1]])

  // The same event again is skipped (its inbox row committed), even with p1 back in the cart.
  await carts.save(
    cartOf('buyer', 3, [
      ['p2', 1],
      ['p1', 1],
    ]),
    2,
  )
  await bus.publish(event)
  expect(await lines('buyer')).toEqual([
    ['p2', 1],
    ['p1', 1],
  ])
  // Another order of both empties it; one for a user with no cart writes none.
  await bus.publish(
    orderConfirmed('buyer', [
      ['p1', 1],
      ['p2', 1],
    ]),
  )
  await bus.publish(orderConfirmed('nobody'))
  expect(await carts.get('buyer')).toMatchObject({ lines: [], version: 4 })
  expect(await redis.exists(`${prefix}cart:nobody`)).toBe(0)
  expect(await bus.deadLetters.list('cart')).toEqual([])
})
