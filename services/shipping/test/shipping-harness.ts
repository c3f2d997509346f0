import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import {
  createInProcessBus,
  createRabbitMqBus,
  createServiceCredentials,
  createServiceTrust,
  generatePrivateJwk,
  startService,
  type DatabaseKind,
  type EventBus,
  type RunningService,
  type ServiceCredentials,
} from '@emporium/platform'
import {
  createTestDatabase,
  createTestTokens,
  deleteRabbitMqTopology,
  testServers,
  type TestDatabase,
} from '@emporium/platform/testing'
import type { Database } from '@emporium/platform'
import { createShippingService, loadShippingConfig } from '../src/service.js'
import type { ShippingTables } from '../src/infra/tables.js'

export interface Harness {
  kind: DatabaseKind
  testDb: TestDatabase
  db: Database<ShippingTables>['db']
  bus: EventBus
  running: RunningService
  /** `Bearer …` of an admin and of a shopper. */
  admin: string
  shopper: string
  /** The orders service's credentials, and the cart's (trusted, but not admitted). */
  orders: ServiceCredentials
  cart: ServiceCredentials
  /** A JSON request to the service; `auth` an Authorization value, or other headers. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>
  /** Publishes an orders event as the orders service would. */
  publish(type: string, data: unknown): Promise<void>
  /** Waits until `check` holds (generous: a busy machine's broker may be slow). */
  until(check: () => Promise<boolean>, what: string): Promise<void>
  close(): Promise<void>
}

const silent = pino({ level: 'silent' })

/**
 * The shipping service on a fresh database of `kind`, listening on a free port: on PostgreSQL
 * fed through RabbitMQ (its own exchange and queue, so suites running at once do not meet), on
 * PGlite through the in-process bus as embedded.
 */
export async function createHarness(kind: 'postgres' | 'pglite'): Promise<Harness> {
  const run = randomUUID().slice(0, 8)
  const brokerDelaysMs = [50, 200]
  const testDb = await createTestDatabase(kind)
  const bus =
    kind === 'postgres'
      ? createRabbitMqBus({
          url: testServers.rabbitmq,
          exchange: `shipping-test-${run}`,
          retry: { delaysMs: brokerDelaysMs },
          log: silent,
          reconnectSeconds: 0.5,
        })
      : createInProcessBus({ retry: { delaysMs: [10] }, log: silent })
  const tokens = createTestTokens()
  const orders = createServiceCredentials({ caller: 'orders', keys: [await generatePrivateJwk()] })
  const cart = createServiceCredentials({ caller: 'cart', keys: [await generatePrivateJwk()] })
  const config = loadShippingConfig({
    SHIPPING_DATABASE_URL: testDb.url,
    SHIPPING_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    LOG_LEVEL: 'silent',
  })
  const service = await createShippingService(config, {
    log: silent,
    database: testDb.database,
    verifier: tokens.verifier,
    serviceTrust: createServiceTrust({
      orders: { keys: orders.publicJwks().keys },
      cart: { keys: cart.publicJwks().keys },
    }),
  })
  // Its own consumer (queue) name: other runs of this suite use the same broker.
  const running = await startService(
    { ...service, name: `shipping-test-${run}` },
    { port: 0, host: '127.0.0.1', log: silent, bus },
  )
  const admin = tokens.bearer(randomUUID(), ['admin'])
  return {
    kind,
    testDb,
    db: (testDb.database as Database<ShippingTables>).db,
    bus,
    running,
    admin,
    shopper: tokens.bearer(randomUUID()),
    orders,
    cart,
    async call(method, path, body, headers = { authorization: admin }) {
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, body: text ? JSON.parse(text) : undefined }
    },
    async publish(type, data) {
      const id = randomUUID()
      await bus.publish({
        id,
        type,
        version: 1,
        occurredAt: new Date().toISOString(),
        source: 'orders',
        correlationId: `corr-${id}`,
        causationId: null,
        data,
      })
    },
    async until(check, what) {
      const deadline = Date.now() + 60_000
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    },
    async close() {
      await running.stopHttp()
      await running.stopRelay()
      await running.close()
      await bus.close()
      if (kind === 'postgres')
        await deleteRabbitMqTopology({
          url: testServers.rabbitmq,
          exchange: `shipping-test-${run}`,
          consumers: [`shipping-test-${run}`],
          delaysMs: brokerDelaysMs,
        })
      await testDb.drop()
    },
  }
}
