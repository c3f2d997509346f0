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
import type { WebhooksTables } from '../src/infra/tables.js'
import {
  createWebhooksService,
  loadWebhooksConfig,
  type WebhooksService,
  type WebhooksServiceDeps,
} from '../src/service.js'

export interface Harness {
  kind: DatabaseKind
  testDb: TestDatabase
  db: Database<WebhooksTables>['db']
  bus: EventBus
  service: WebhooksService
  running: RunningService
  /** `Bearer …` of an owner, a shopper, and staff without webhooks.manage. */
  owner: string
  shopper: string
  support: string
  /** A JSON request to the service; `headers` default to the owner's authorization. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>
  /** Publishes an event as its service would; returns its id. */
  publish(type: string, data: unknown, id?: string): Promise<string>
  /**
   * Another replica's service on the same database (not started: its `dispatchDue` is what a
   * test runs), with the harness's settings and `env` over them.
   */
  replica(deps?: WebhooksServiceDeps, env?: Record<string, string>): Promise<WebhooksService>
  /** Runs the dispatcher until `check` holds (generous: a busy machine may be slow). */
  until(check: () => Promise<boolean> | boolean, what: string): Promise<void>
  close(): Promise<void>
}

const silent = pino({ level: 'silent' })

/**
 * The webhooks service on a fresh database of `kind`, listening on a free port, its dispatcher
 * run by the tests (`until`) rather than a timer: on PostgreSQL fed through RabbitMQ (its own
 * exchange and queue), on PGlite through the in-process bus as embedded. Receivers listen on
 * 127.0.0.1, the development allow-list's one host; retry delays are shrunk.
 */
export async function createHarness(
  kind: 'postgres' | 'pglite',
  env: Record<string, string> = {},
): Promise<Harness> {
  const run = randomUUID().slice(0, 8)
  const brokerDelaysMs = [50, 200]
  const testDb = await createTestDatabase(kind)
  const bus =
    kind === 'postgres'
      ? createRabbitMqBus({
          url: testServers.rabbitmq,
          exchange: `webhooks-test-${run}`,
          retry: { delaysMs: brokerDelaysMs },
          log: silent,
          reconnectSeconds: 0.5,
        })
      : createInProcessBus({ retry: { delaysMs: [10] }, log: silent })
  const tokens = createTestTokens()
  const settings = {
    WEBHOOKS_DATABASE_URL: testDb.url,
    WEBHOOKS_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOKS_DISPATCH_INTERVAL_MS: '0',
    WEBHOOKS_RETRY_DELAYS_MS: '100,200,300',
    WEBHOOKS_RETRY_JITTER: '0',
    WEBHOOKS_TIMEOUT_MS: '1000',
    WEBHOOKS_LEASE_MS: '5000',
    WEBHOOKS_BREAKER_FAILURES: '100',
    LOG_LEVEL: 'silent',
    ...env,
  }
  const config = loadWebhooksConfig(settings)
  const service = await createWebhooksService(config, {
    log: silent,
    database: testDb.database,
    verifier: tokens.verifier,
  })
  // Its own consumer (queue) name: other runs of this suite use the same broker.
  const running = await startService(
    { ...service, name: `webhooks-test-${run}` },
    { port: 0, host: '127.0.0.1', log: silent, bus },
  )
  const owner = tokens.bearer(randomUUID(), ['customer', 'owner'])
  return {
    kind,
    testDb,
    db: (testDb.database as Database<WebhooksTables>).db,
    bus,
    service,
    running,
    owner,
    shopper: tokens.bearer(randomUUID(), ['customer']),
    support: tokens.bearer(randomUUID(), ['customer', 'support']),
    async call(method, path, body, headers = { authorization: owner }) {
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return {
        status: response.status,
        body: text ? JSON.parse(text) : undefined,
        headers: response.headers,
      }
    },
    async publish(type, data, id = randomUUID()) {
      await bus.publish({
        id,
        type,
        version: 1,
        occurredAt: new Date().toISOString(),
        source: type.split('.')[0]!,
        correlationId: `corr-${id}`,
        causationId: null,
        data,
      })
      return id
    },
    replica: (deps = {}, more = {}) =>
      createWebhooksService(loadWebhooksConfig({ ...settings, ...more }), {
        log: silent,
        database: testDb.database,
        verifier: tokens.verifier,
        ...deps,
      }),
    async until(check, what) {
      const deadline = Date.now() + 30_000
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
        await service.dispatchDue()
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
          exchange: `webhooks-test-${run}`,
          consumers: [`webhooks-test-${run}`],
          delaysMs: brokerDelaysMs,
        })
      await testDb.drop()
    },
  }
}
