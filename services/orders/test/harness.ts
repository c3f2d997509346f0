import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, expect } from 'vitest'
import {
  createInProcessBus,
  createServiceCredentials,
  generatePrivateJwk,
  startService,
  type DatabaseKind,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { createOrdersService, loadOrdersConfig, type OrdersService } from '../src/service.js'
import { createTestTokens } from '@emporium/platform/testing'
import {
  cartOf,
  fakeServer,
  fakeShipping,
  isOrdersCredentialFor,
  luhnValid,
  product,
  subjectOf,
  type FakeCartLine,
  type FakeShippingQuote,
} from './fake-upstreams.js'

export interface Reply {
  status: number
  headers: Headers
  text: string
  body: any
}

export const card = { cardNumber: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' }
export const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
}
export const body = { shippingAddress: address, payment: card }
/** A card the fake payments refuses as past its decline limits (429, retry-after 1234). */
export const throttledCard = '4000000000000101'

export interface HarnessOptions {
  /** Whether orders is given a shipping service (ORDERS_SHIPPING_URLS); default true. */
  shipping?: boolean
  /** More of orders' environment (e.g. ORDERS_PRICES_INCLUDE_TAX). */
  env?: Record<string, string>
  /**
   * The periodic deadline sweep's interval; default 0 (none: the tests call `sweep()` when they
   * move the clock).
   */
  sweepIntervalMs?: number
}

/**
 * The orders service end to end over real HTTP against one database kind: the service as the
 * runtime starts it (migrations, outbox relay, consumers on an in-process bus), with fake cart,
 * catalog, payments and shipping servers of our own, and a clock the tests move for deadlines.
 * The fake shipping service quotes the methods of `shippingQuotes` for a destination's country
 * (none for a country it lacks: shipping is then free).
 */
export function ordersHarness(kind: DatabaseKind, options: HarnessOptions = {}) {
  // Every line the service logs, unredacted: the card must never be in one.
  const logLines: string[] = []
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'))
        done()
      },
    }),
  )
  // No retries: a handler that throws is dead-lettered at once, and the tests see it.
  const bus = createInProcessBus({ retry: { delaysMs: [] }, log })
  const tokens = createTestTokens()
  const carts = new Map<string, FakeCartLine[]>()
  const products = new Map([
    ['lamp', product('lamp', 'Desk lamp', 1999)],
    ['mug', product('mug', 'Mug', 850)],
  ])
  const shippingQuotes = new Map<string, FakeShippingQuote[]>()
  let paymentsDelayMs = 0
  let shiftMs = 0
  let testDb: TestDatabase
  let running: RunningService
  let service: OrdersService
  let cart: Awaited<ReturnType<typeof fakeServer>>
  let catalog: Awaited<ReturnType<typeof fakeServer>>
  let payments: Awaited<ReturnType<typeof fakeServer>>
  let shipping: Awaited<ReturnType<typeof fakeServer>>

  async function call(
    method: string,
    path: string,
    authorization?: string,
    options: { body?: unknown; key?: string } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {}
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    if (authorization) headers.authorization = authorization
    if (options.key !== undefined) headers['idempotency-key'] = options.key
    const response = await fetch(`${running.url}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: text ? JSON.parse(text) : undefined,
    }
  }

  /** A new customer with `lines` in their cart. */
  function customer(lines: FakeCartLine[] = [{ productId: 'lamp', quantity: 2 }]) {
    const userId = randomUUID()
    carts.set(userId, lines)
    return { userId, bearer: tokens.bearer(userId) }
  }
  const admin = tokens.bearer(randomUUID(), ['customer', 'admin'])

  async function place(
    who: { bearer: string },
    key: string = randomUUID(),
    payload: unknown = body,
  ) {
    return call('POST', '/orders', who.bearer, { body: payload, key })
  }

  async function placed(who: { bearer: string }) {
    const reply = await place(who)
    expect(reply.status, reply.text).toBe(202)
    return reply.body as { id: string; status: string; total: { amount: number } }
  }

  async function outbox(type: string, orderId?: string) {
    const rows = await testDb.database.db
      .selectFrom('outbox')
      .select(['payload'])
      .where('type', '=', type)
      .orderBy('seq')
      .execute()
    return rows
      .map((r: any) => JSON.parse(r.payload))
      .filter((e: any) => orderId === undefined || e.data.orderId === orderId)
  }

  async function ordersOf(userId: string) {
    return testDb.database.db
      .selectFrom('orders')
      .selectAll()
      .where('user_id', '=', userId)
      .execute()
  }

  async function keysOf(userId: string) {
    return testDb.database.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .execute()
  }

  async function statusOf(orderId: string) {
    const row = await testDb.database.db
      .selectFrom('orders')
      .select(['status', 'cancellation_reason', 'payment_status'])
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow()
    return row as { status: string; cancellation_reason: string | null; payment_status: string }
  }

  /** Publishes an event as catalog or payments would; resolves once orders handled it. */
  async function publish(type: string, data: unknown, id = randomUUID()) {
    const envelope = {
      id,
      type,
      version: 1,
      occurredAt: new Date().toISOString(),
      source:
        type.startsWith('stock.') || type.startsWith('product.')
          ? 'catalog'
          : type.startsWith('shipment.')
            ? 'shipping'
            : 'payments',
      correlationId: randomUUID(),
      causationId: null,
      data,
    }
    await bus.publish(envelope)
    return envelope
  }

  const stockReserved = (orderId: string) => ({
    orderId,
    lines: [{ productId: 'lamp', quantity: 2 }],
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
  })
  const payment = (orderId: string, userId: string, amount: number, extra = {}) => ({
    paymentId: `pay-${orderId}`,
    orderId,
    userId,
    amount: { amount, currency: 'USD' },
    last4: '4242',
    at: new Date().toISOString(),
    ...extra,
  })

  /** An order taken to `awaiting_payment`. */
  async function awaitingPayment(who = customer()) {
    const order = await placed(who)
    await publish('stock.reserved', stockReserved(order.id))
    expect((await statusOf(order.id)).status).toBe('awaiting_payment')
    return { ...who, order }
  }

  /** An order taken to `confirmed`. */
  async function confirmed(who = customer()) {
    const result = await awaitingPayment(who)
    await publish(
      'payment.captured',
      payment(result.order.id, result.userId, result.order.total.amount),
    )
    expect((await statusOf(result.order.id)).status).toBe('confirmed')
    return result
  }

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    cart = await fakeServer((request) => {
      const lines = carts.get(subjectOf(request.headers.authorization as string) ?? '')
      if (request.path !== '/cart') return { status: 404 }
      return { status: 200, body: cartOf(lines ?? []) }
    })
    catalog = await fakeServer((request) => {
      const match = /^\/products\/([^/?]+)$/.exec(request.path)
      const found = match ? products.get(decodeURIComponent(match[1]!)) : undefined
      return found ? { status: 200, body: found } : { status: 404, body: { title: 'Not Found' } }
    })
    let methods = 0
    const credentials = createServiceCredentials({
      caller: 'orders',
      keys: [await generatePrivateJwk()],
    })
    payments = await fakeServer((request) => {
      // As payments does (its own tests verify the signature): orders' credential, for payments.
      if (!isOrdersCredentialFor('payments', request.headers['x-service-authorization'])) {
        return { status: 401, body: { status: 401, code: 'AUTH.INVALID_SERVICE_CREDENTIAL' } }
      }
      const number = String(request.body?.card?.cardNumber ?? '')
      if (!luhnValid(number)) {
        return {
          status: 400,
          body: {
            type: 'https://emporium.dev/problems/payments/invalid-card',
            title: 'Bad Request',
            status: 400,
            detail: 'The card number is not valid.',
            code: 'PAYMENTS.INVALID_CARD',
            errors: [{ path: '/body/card/cardNumber', message: 'fails the Luhn check' }],
          },
        }
      }
      if (number === throttledCard) {
        return {
          status: 429,
          headers: { 'retry-after': '1234' },
          body: {
            type: 'https://emporium.dev/problems/payments/too-many-declines',
            title: 'Too Many Requests',
            status: 429,
            detail: 'Too many declined payments recently; try again later.',
            code: 'PAYMENTS.TOO_MANY_DECLINES',
          },
        }
      }
      return {
        status: 201,
        delayMs: paymentsDelayMs,
        body: { paymentMethodId: `pm_${++methods}`, last4: number.slice(-4), brand: 'visa' },
      }
    })
    shipping = await fakeShipping(shippingQuotes)
    const config = loadOrdersConfig({
      ORDERS_DATABASE_URL: testDb.url,
      ORDERS_CART_URLS: cart.url,
      ORDERS_CATALOG_URLS: catalog.url,
      ORDERS_PAYMENTS_URLS: payments.url,
      ...(options.shipping !== false && { ORDERS_SHIPPING_URLS: shipping.url }),
      ORDERS_UPSTREAM_TIMEOUT_MS: '1000',
      ORDERS_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      LOG_LEVEL: 'silent',
      ...options.env,
    })
    service = await createOrdersService(config, {
      log,
      database: testDb.database,
      verifier: tokens.verifier,
      serviceCredentials: credentials,
      now: () => new Date(Date.now() + shiftMs),
      sweepIntervalMs: options.sweepIntervalMs ?? 0,
      // No retries, and a breaker that does not open between tests.
      clients: { retries: 0, breaker: { minimumCalls: 1_000_000, halfOpenAfterMs: 1_000 } },
    })
    running = await startService(service, { port: 0, log, bus })
  })

  afterAll(async () => {
    await running?.stopHttp()
    await running?.stopRelay()
    await bus.close()
    await running?.close()
    await Promise.all([cart?.stop(), catalog?.stop(), payments?.stop(), shipping?.stop()])
    await testDb?.drop()
  })

  return {
    call,
    customer,
    admin,
    place,
    placed,
    outbox,
    ordersOf,
    keysOf,
    statusOf,
    publish,
    stockReserved,
    payment,
    awaitingPayment,
    confirmed,
    bus,
    tokens,
    carts,
    products,
    logLines,
    shippingQuotes,
    upstreams: () => ({ cart, catalog, payments, shipping }),
    setPaymentsDelay: (ms: number) => {
      paymentsDelayMs = ms
    },
    setClockShift: (ms: number) => {
      shiftMs = ms
    },
    sweep: () => service.sweepDeadlines(),
    db: () => testDb.database.db,
  }
}

export type Harness = ReturnType<typeof ordersHarness>
