import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import {
  createInProcessBus,
  createServiceCredentials,
  createServiceTrust,
  generatePrivateJwk,
  openDatabase,
  startService,
  type Database,
  type DatabaseKind,
  type EventBus,
  type RunningService,
  type ServiceCredentials,
  type ServiceTrust,
} from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import {
  createPaymentsService,
  loadPaymentsConfig,
  ProviderTransientError,
  type PaymentProvider,
  type PaymentsService,
} from '../src/service.js'
import { createTestTokens } from '@emporium/platform/testing'

/** Faults a test injects around the simulated acquirer, by order id. */
export interface Faults {
  /** Tokenize calls that reached the provider. */
  tokenizeCalls: number
  /** Authorize calls that reached the wrapper, by idempotency key. */
  authorizeCalls: Map<string, number>
  captureCalls: Map<string, number>
  /** Authorize always fails transiently (the provider is down for this order). */
  alwaysTransient: Set<string>
  /** The acquirer records the capture, then the call fails as if we crashed before our commit. */
  crashAfterCapture: Set<string>
  /** The acquirer holds the amount, then the call fails as if we crashed before the capture. */
  crashAfterAuthorize: Set<string>
  /** The next n captures fail transiently. */
  captureTransient: Map<string, number>
  /** Runs just before the capture reaches the acquirer (e.g. the order is cancelled meanwhile). */
  beforeCapture: Map<string, () => Promise<void>>
  /** Refund calls (by idempotency key) still to fail transiently before one goes through. */
  refundTransient?: Map<string, number>
  /** Refund calls made, by idempotency key. */
  refundCalls?: Map<string, number>
}

const orderOf = (key: string) => key.slice(0, key.lastIndexOf(':'))
const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)

function withFaults(inner: PaymentProvider, faults: Faults): PaymentProvider {
  return {
    async tokenize(card) {
      faults.tokenizeCalls++
      return inner.tokenize(card)
    },
    async authorize(request) {
      bump(faults.authorizeCalls, request.idempotencyKey)
      if (faults.alwaysTransient.has(orderOf(request.idempotencyKey))) {
        throw new ProviderTransientError('provider down (test)')
      }
      const result = await inner.authorize(request)
      if (faults.crashAfterAuthorize.delete(orderOf(request.idempotencyKey))) {
        throw new Error('simulated crash (test)')
      }
      return result
    },
    async capture(request) {
      const orderId = orderOf(request.idempotencyKey)
      bump(faults.captureCalls, request.idempotencyKey)
      const left = faults.captureTransient.get(orderId) ?? 0
      if (left > 0) {
        faults.captureTransient.set(orderId, left - 1)
        throw new ProviderTransientError('capture unavailable (test)')
      }
      await faults.beforeCapture.get(orderId)?.()
      const result = await inner.capture(request)
      if (faults.crashAfterCapture.delete(orderId)) throw new Error('simulated crash (test)')
      return result
    },
    async refund(request) {
      if (faults.refundCalls) bump(faults.refundCalls, request.idempotencyKey)
      const left = faults.refundTransient?.get(request.idempotencyKey) ?? 0
      if (left > 0) {
        faults.refundTransient!.set(request.idempotencyKey, left - 1)
        throw new ProviderTransientError('refund unavailable (test)')
      }
      return inner.refund(request)
    },
    void: (request) => inner.void(request),
  }
}

/** The orders service as the tests impersonate it: its credentials, and payments' trust. */
export interface InternalCallers {
  /** Credentials of `orders`, the one caller of `/internal/payment-methods`. */
  orders: ServiceCredentials
  /** Credentials of `cart`: trusted, but not allowed on payments' routes. */
  cart: ServiceCredentials
  trust: ServiceTrust
  /** Headers of a JSON call as the orders service makes it. */
  headers(): Promise<Record<string, string>>
}

export async function createInternalCallers(): Promise<InternalCallers> {
  const orders = createServiceCredentials({ caller: 'orders', keys: [await generatePrivateJwk()] })
  const cart = createServiceCredentials({ caller: 'cart', keys: [await generatePrivateJwk()] })
  return {
    orders,
    cart,
    trust: createServiceTrust({
      orders: { keys: orders.publicJwks().keys },
      cart: { keys: cart.publicJwks().keys },
    }),
    headers: async () => ({
      'content-type': 'application/json',
      'x-service-authorization': await orders.authorization('payments'),
    }),
  }
}

export interface Harness {
  kind: DatabaseKind
  testDb: TestDatabase
  bus: EventBus
  service: PaymentsService
  running: RunningService
  faults: Faults
  tokens: ReturnType<typeof createTestTokens>
  internal: InternalCallers
  /** Every log line so far (JSON). */
  logs: string[]
  /** Moves the service's clock forward (leases, retry delays). */
  shift(ms: number): void
  /** Another service instance on the same database (its own connections; not started). */
  secondInstance(options?: { batchSize?: number }): Promise<{
    service: PaymentsService
    database: Database
  }>
  close(): Promise<void>
}

/** The slow test card's delay in the tests, unless a harness sets its own. */
export const slowMs = 60

export async function createHarness(
  kind: DatabaseKind,
  options: {
    batchSize?: number
    processIntervalMs?: number
    slowMs?: number
    /** More environment (e.g. decline limits). */
    env?: Record<string, string>
  } = {},
): Promise<Harness> {
  // Everything at debug, unredacted: the card-data test checks nothing in it names a card.
  const logs: string[] = []
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) })
  const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
  const tokens = createTestTokens()
  const internal = await createInternalCallers()
  const testDb = await createTestDatabase(kind)
  let shiftMs = 0
  const now = () => new Date(Date.now() + shiftMs)
  const faults: Faults = {
    tokenizeCalls: 0,
    authorizeCalls: new Map(),
    captureCalls: new Map(),
    alwaysTransient: new Set(),
    crashAfterCapture: new Set(),
    crashAfterAuthorize: new Set(),
    captureTransient: new Map(),
    beforeCapture: new Map(),
  }
  const config = loadPaymentsConfig({
    PAYMENTS_DATABASE_URL: testDb.url,
    PAYMENTS_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    PAYMENTS_SIMULATED_SLOW_MS: String(options.slowMs ?? slowMs),
    PAYMENTS_PROVIDER_TIMEOUT_MS: '3000',
    PAYMENTS_MAX_ATTEMPTS: '4',
    PAYMENTS_RETRY_BASE_MS: '5',
    // The suites decline the same test cards many times over; the velocity tests set their own.
    PAYMENTS_MAX_DECLINES_PER_USER: '1000000',
    PAYMENTS_MAX_DECLINES_PER_CARD: '1000000',
    LOG_LEVEL: 'silent',
    ...options.env,
  })
  const make = (database: Database, batchSize?: number) =>
    createPaymentsService(config, {
      log,
      database,
      verifier: tokens.verifier,
      serviceTrust: internal.trust,
      now,
      provider: (inner) => withFaults(inner, faults),
      processIntervalMs: options.processIntervalMs ?? 0,
      processBatchSize: batchSize,
    })
  const service = await make(testDb.database, options.batchSize)
  const running = await startService(service, { port: 0, log, bus })
  const extra: Database[] = []
  return {
    kind,
    testDb,
    bus,
    service,
    running,
    faults,
    tokens,
    internal,
    logs,
    shift: (ms) => void (shiftMs += ms),
    async secondInstance(second = {}) {
      const database = await openDatabase(testDb.url)
      extra.push(database)
      return { service: await make(database, second.batchSize), database }
    },
    async close() {
      await running.stopHttp()
      await running.stopRelay()
      await running.close()
      await bus.close()
      for (const database of extra) await database.close()
      await testDb.drop()
    },
  }
}

/** An event as the orders service would publish it. */
export function envelope(type: string, data: unknown, id: string = randomUUID()) {
  return {
    id,
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'orders',
    correlationId: `corr-${id}`,
    causationId: null,
    data,
  }
}
