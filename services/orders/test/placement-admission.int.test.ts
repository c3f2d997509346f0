import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createInProcessBus,
  createServiceCredentials,
  generatePrivateJwk,
  shedHeader,
  startService,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, createTestTokens, type TestDatabase } from '@emporium/platform/testing'
import { createOrdersService, loadOrdersConfig } from '../src/service.js'
import { cartOf, fakeServer, product, subjectOf } from './fake-upstreams.js'
import { body } from './harness.js'

// Placement admission (ORDERS_PLACEMENT_*): one placement at a time, no queue. Card tokenization
// is held for a while, so a second placement sent meanwhile cannot start and is shed at once.
describe('placement admission control (orders on pglite)', () => {
  const log = pino({ level: 'silent' })
  const bus = createInProcessBus({ retry: { delaysMs: [] }, log })
  const tokens = createTestTokens()
  const users = new Set<string>()
  let testDb: TestDatabase
  let running: RunningService
  let servers: Array<Awaited<ReturnType<typeof fakeServer>>> = []

  beforeAll(async () => {
    testDb = await createTestDatabase('pglite')
    const cart = await fakeServer((request) =>
      users.has(subjectOf(request.headers.authorization as string) ?? '')
        ? { status: 200, body: cartOf([{ productId: 'lamp', quantity: 1 }]) }
        : { status: 200, body: cartOf([]) },
    )
    const catalog = await fakeServer(() => ({
      status: 200,
      body: product('lamp', 'Desk lamp', 1999),
    }))
    let methods = 0
    const payments = await fakeServer(() => ({
      status: 201,
      delayMs: 1_500,
      body: { paymentMethodId: `pm_${++methods}`, last4: '4242', brand: 'visa' },
    }))
    servers = [cart, catalog, payments]
    const config = loadOrdersConfig({
      ORDERS_DATABASE_URL: testDb.url,
      ORDERS_CART_URLS: cart.url,
      ORDERS_CATALOG_URLS: catalog.url,
      ORDERS_PAYMENTS_URLS: payments.url,
      ORDERS_UPSTREAM_TIMEOUT_MS: '20000',
      ORDERS_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      ORDERS_PLACEMENT_CONCURRENCY: '1',
      ORDERS_PLACEMENT_QUEUE: '0',
      ORDERS_PLACEMENT_QUEUE_MS: '100',
      // No deadline: the holding placement must end 202 however slow a busy machine makes it
      // (its card alone takes 1.5 s of the default 2 s); the deadline has tests of its own.
      ORDERS_PLACEMENT_DEADLINE_MS: '0',
      LOG_LEVEL: 'silent',
    })
    const service = await createOrdersService(config, {
      log,
      database: testDb.database,
      verifier: tokens.verifier,
      serviceCredentials: createServiceCredentials({
        caller: 'orders',
        keys: [await generatePrivateJwk()],
      }),
      sweepIntervalMs: 0,
      clients: { retries: 0 },
    })
    running = await startService(service, { port: 0, log, bus })
  })

  afterAll(async () => {
    await running?.stopHttp()
    await running?.stopRelay()
    await bus.close()
    await running?.close()
    await Promise.all(servers.map((s) => s.stop()))
    await testDb?.drop()
  })

  function customer() {
    const userId = randomUUID()
    users.add(userId)
    return { userId, bearer: tokens.bearer(userId) }
  }
  const place = (who: { bearer: string }, key: string) =>
    fetch(`${running.url}/orders`, {
      method: 'POST',
      headers: {
        authorization: who.bearer,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(body),
    })
  const rowsOf = async (userId: string) => ({
    orders: await testDb.database.db
      .selectFrom('orders')
      .select('id')
      .where('user_id', '=', userId)
      .execute(),
    keys: await testDb.database.db
      .selectFrom('idempotency_keys')
      .select('key')
      .where('user_id', '=', userId)
      .execute(),
  })

  it('sheds a placement that cannot start with 503 and retry-after, writing nothing; the same key then places the order', async () => {
    const first = customer()
    const second = customer()
    const key = randomUUID()
    const holding = place(first, randomUUID())
    // The first holds the only turn for the 1.5 s its card takes.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const shed = await place(second, key)
    expect(shed.status).toBe(503)
    expect(Number(shed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(shed.headers.get(shedHeader)).toBe('admission')
    expect(((await shed.json()) as { code: string }).code).toBe('HTTP.OVERLOADED')
    // Nothing of it was written: no order, no remembered key.
    expect(await rowsOf(second.userId)).toEqual({ orders: [], keys: [] })
    expect((await holding).status).toBe(202)

    const retried = await place(second, key)
    expect(retried.status).toBe(202)
    const order = (await retried.json()) as { id: string }
    expect((await rowsOf(second.userId)).orders).toEqual([{ id: order.id }])
    // And the key is now bound to that order: a repeat gets the same one.
    const again = await place(second, key)
    expect(again.status).toBe(202)
    expect(((await again.json()) as { id: string }).id).toBe(order.id)
  })
})
