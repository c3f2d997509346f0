import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import {
  createInProcessBus,
  createRabbitMqBus,
  startService,
  type Database,
  type DatabaseKind,
  type EventBus,
  type RunningService,
} from '@emporium/platform'
import {
  createTestDatabase,
  createTestTokens,
  deleteRabbitMqTopology,
  testServers,
  type TestDatabase,
} from '@emporium/platform/testing'
import { createReportingService, loadReportingConfig } from '../src/service.js'
import type { ReportingTables } from '../src/infra/tables.js'

export interface Harness {
  kind: DatabaseKind
  testDb: TestDatabase
  db: Database<ReportingTables>['db']
  bus: EventBus
  running: RunningService
  /** `Bearer …` of an owner (legacy admin), of staff of each role, and of a shopper. */
  admin: string
  support: string
  catalogManager: string
  fulfilment: string
  shopper: string
  /** A request to the service; the body answered parsed when JSON, else as text. */
  call(
    method: string,
    path: string,
    auth?: string,
  ): Promise<{ status: number; body: any; text: string; headers: Headers }>
  /** Publishes an event as `source` would; returns its id. */
  publish(
    type: string,
    data: unknown,
    options?: { source?: string; at?: string; id?: string },
  ): Promise<string>
  /** Waits until `check` holds (generous: a busy machine's broker may be slow). */
  until(check: () => Promise<boolean>, what: string): Promise<void>
  close(): Promise<void>
}

const silent = pino({ level: 'silent' })
const sources: Record<string, string> = { payment: 'payments', shipment: 'shipping' }

/**
 * The reporting service on a fresh database of `kind`, listening on a free port: on PostgreSQL
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
          exchange: `reporting-test-${run}`,
          retry: { delaysMs: brokerDelaysMs },
          log: silent,
          reconnectSeconds: 0.5,
        })
      : createInProcessBus({ retry: { delaysMs: [10] }, log: silent })
  const tokens = createTestTokens()
  const config = loadReportingConfig({
    REPORTING_DATABASE_URL: testDb.url,
    REPORTING_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    LOG_LEVEL: 'silent',
  })
  const service = await createReportingService(config, {
    log: silent,
    database: testDb.database,
    verifier: tokens.verifier,
  })
  const running = await startService(
    { ...service, name: `reporting-test-${run}` },
    { port: 0, host: '127.0.0.1', log: silent, bus },
  )
  const admin = tokens.bearer(randomUUID(), ['admin'])
  return {
    kind,
    testDb,
    db: (testDb.database as Database<ReportingTables>).db,
    bus,
    running,
    admin,
    support: tokens.bearer(randomUUID(), ['support']),
    catalogManager: tokens.bearer(randomUUID(), ['catalog_manager']),
    fulfilment: tokens.bearer(randomUUID(), ['fulfilment']),
    shopper: tokens.bearer(randomUUID()),
    async call(method, path, auth = admin) {
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers: auth ? { authorization: auth } : {},
      })
      const text = await response.text()
      const json = (response.headers.get('content-type') ?? '').includes('json')
      return {
        status: response.status,
        body: json && text ? JSON.parse(text) : undefined,
        text,
        headers: response.headers,
      }
    },
    async publish(type, data, options = {}) {
      const id = options.id ?? randomUUID()
      await bus.publish({
        id,
        type,
        version: 1,
        occurredAt: options.at ?? new Date().toISOString(),
        source: options.source ?? sources[type.split('.')[0]!] ?? 'orders',
        correlationId: `corr-${id}`,
        causationId: null,
        data,
      })
      return id
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
          exchange: `reporting-test-${run}`,
          consumers: [`reporting-test-${run}`],
          delaysMs: brokerDelaysMs,
        })
      await testDb.drop()
    },
  }
}
