import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createHttpServer,
  createInProcessBus,
  createMetricsRegistry,
  startService,
  type EventBus,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, createTestTokens, type TestDatabase } from '@emporium/platform/testing'
import { createPaymentsService, loadPaymentsConfig } from '../src/service.js'
import { createInternalCallers, envelope, type InternalCallers } from './payments-harness.js'

// PAYMENTS_SIMULATED_FAULTS_API: the chaos runner makes the simulated acquirer fail for a while
// through `POST /internal/simulator/faults`; the processor, running on its own as in production,
// retries through the outage and ends every payment correctly, never charging twice.

const env = (extra: Record<string, string> = {}) =>
  loadPaymentsConfig({
    PAYMENTS_DATABASE_URL: 'postgres://unused/unused',
    PAYMENTS_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    PAYMENTS_PROVIDER_TIMEOUT_MS: '3000',
    PAYMENTS_MAX_ATTEMPTS: '4',
    // Equal jitter: the 4th attempt comes ≥ 200 + 400 + 800 ms after the first, past a 1 s outage.
    PAYMENTS_RETRY_BASE_MS: '400',
    LOG_LEVEL: 'silent',
    ...extra,
  })

describe('simulated acquirer outages on PostgreSQL', () => {
  const tokens = createTestTokens()
  const admin = tokens.bearer('admin-1', ['customer', 'admin'])
  const logs: string[] = []
  const log = pino({ level: 'warn' }, { write: (line: string) => void logs.push(line) })
  let testDb: TestDatabase
  let bus: EventBus
  let running: RunningService
  let internal: InternalCallers

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres')
    bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
    internal = await createInternalCallers()
    const service = await createPaymentsService(env({ PAYMENTS_SIMULATED_FAULTS_API: 'true' }), {
      log,
      database: testDb.database,
      verifier: tokens.verifier,
      serviceTrust: internal.trust,
      processIntervalMs: 100,
    })
    running = await startService(service, { port: 0, log, bus })
  })

  afterAll(async () => {
    await running?.stopHttp()
    await running?.stopRelay()
    await running?.close()
    await bus?.close()
    await testDb?.drop()
  })

  const faults = (body: unknown, authorization = admin) =>
    fetch(`${running.url}/internal/simulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(body),
    })

  async function tokenize(cardNumber = '4242424242424242') {
    const userId = randomUUID()
    const reply = await fetch(`${running.url}/internal/payment-methods`, {
      method: 'POST',
      headers: await internal.headers(),
      body: JSON.stringify({
        userId,
        card: { cardNumber, expMonth: 12, expYear: 2099, cvc: '123' },
      }),
    })
    expect(reply.status).toBe(201)
    const { paymentMethodId } = (await reply.json()) as { paymentMethodId: string }
    return { userId, paymentMethodId }
  }

  async function requestPayment(method: { userId: string; paymentMethodId: string }) {
    const orderId = `fault-${randomUUID()}`
    await bus.publish(
      envelope('order.payment-requested', {
        orderId,
        userId: method.userId,
        amount: { amount: 1234, currency: 'USD' },
        paymentMethodId: method.paymentMethodId,
        at: new Date().toISOString(),
      }),
    )
    return orderId
  }

  async function settled(orderIds: string[], timeoutMs = 20_000) {
    const db = testDb.database.db
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const rows = await db
        .selectFrom('payments')
        .select(['order_id', 'state', 'decline_reason'])
        .where('order_id', 'in', orderIds)
        .execute()
      const open = rows.filter((r) => ['pending', 'authorized', 'refund_pending'].includes(r.state))
      if (rows.length === orderIds.length && open.length === 0) return rows
      if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(rows)}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** Per order: ledger captures, and captures the acquirer itself made. */
  async function captures(orderIds: string[]) {
    const db = testDb.database.db
    const ledger = await db
      .selectFrom('ledger_entries')
      .select(['order_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('kind', '=', 'capture')
      .where('order_id', 'in', orderIds)
      .groupBy('order_id')
      .execute()
    // The acquirer's own memory: `op:<order>:authorize` holds the authorization id, and
    // `captured:<authorization id>` the one capture made on it.
    const acquirer = await sql<{ order_id: string; n: number }>`
      select split_part(substr(a.key, 4), ':authorize', 1) as order_id, count(c.key)::int as n
      from simulated_acquirer a
      join simulated_acquirer c
        on c.key = 'captured:' || (a.value::jsonb -> 'result' ->> 'authorizationId')
      where a.key like 'op:fault-%:authorize'
      group by 1`.execute(db)
    const byOrder = new Map(orderIds.map((id) => [id, { ledger: 0, acquirer: 0 }]))
    for (const row of ledger) byOrder.get(row.order_id)!.ledger = Number(row.n)
    for (const row of acquirer.rows) {
      if (byOrder.has(row.order_id)) byOrder.get(row.order_id)!.acquirer = row.n
    }
    return [...byOrder.values()]
  }

  const transientFailures = () => logs.filter((line) => line.includes('simulated outage')).length

  it('is admin-only and validated', async () => {
    expect((await faults({ errorRate: 1, seconds: 1 }, '')).status).toBe(401)
    const customer = tokens.bearer('shopper-1')
    expect((await faults({ errorRate: 1, seconds: 1 }, customer)).status).toBe(403)
    expect((await faults({ errorRate: 2, seconds: 1 })).status).toBe(400)
    expect((await faults({ errorRate: 0.5, seconds: 1, extra: true })).status).toBe(400)
    const read = await fetch(`${running.url}/internal/simulator/faults`, {
      headers: { authorization: admin },
    })
    expect(await read.json()).toEqual({ errorRate: 0, lostReplyRate: 0, until: null })
  })

  it('is not served unless PAYMENTS_SIMULATED_FAULTS_API is on', async () => {
    const plain = await createPaymentsService(env(), {
      log,
      database: testDb.database,
      verifier: tokens.verifier,
      processIntervalMs: 0,
    })
    const server = createHttpServer({
      service: 'payments',
      log,
      registry: createMetricsRegistry('payments-plain', { processMetrics: false }),
      routes: plain.routes,
    })
    const reply = await server.inject({
      method: 'POST',
      url: '/internal/simulator/faults',
      headers: { authorization: admin },
      payload: { errorRate: 1, seconds: 1 },
    })
    expect(reply.statusCode).toBe(404)
    await server.close()
  })

  it('refused calls: authorizations retried through the outage end captured, once each', async () => {
    const methods = await Promise.all(Array.from({ length: 6 }, () => tokenize()))
    const before = transientFailures()
    const set = await faults({ errorRate: 1, seconds: 1 })
    expect(set.status).toBe(200)
    expect(await set.json()).toMatchObject({ errorRate: 1, lostReplyRate: 0 })
    const orderIds = await Promise.all(methods.map(requestPayment))
    const rows = await settled(orderIds)
    expect(rows.map((r) => r.state)).toEqual(orderIds.map(() => 'captured'))
    expect(transientFailures() - before).toBeGreaterThanOrEqual(orderIds.length)
    expect(await captures(orderIds)).toEqual(orderIds.map(() => ({ ledger: 1, acquirer: 1 })))
  })

  it('lost answers: the acquirer acted, the retries replay it, nothing is charged twice', async () => {
    const methods = await Promise.all(Array.from({ length: 6 }, () => tokenize()))
    const before = transientFailures()
    expect((await faults({ errorRate: 0, lostReplyRate: 1, seconds: 1 })).status).toBe(200)
    const orderIds = await Promise.all(methods.map(requestPayment))
    const rows = await settled(orderIds)
    expect(rows.map((r) => r.state)).toEqual(orderIds.map(() => 'captured'))
    expect(logs.slice(before).some((line) => line.includes('answer lost'))).toBe(true)
    expect(await captures(orderIds)).toEqual(orderIds.map(() => ({ ledger: 1, acquirer: 1 })))
  })

  it('an outage longer than the retries fails the authorization (provider_error), then ends', async () => {
    const [method] = await Promise.all([tokenize()])
    expect((await faults({ errorRate: 1, seconds: 60 })).status).toBe(200)
    const orderId = await requestPayment(method!)
    const [row] = await settled([orderId])
    expect(row).toMatchObject({ state: 'failed', decline_reason: 'provider_error' })
    expect(await captures([orderId])).toEqual([{ ledger: 0, acquirer: 0 }])
    const declined = await testDb.database.db
      .selectFrom('outbox')
      .select('payload')
      .where('type', '=', 'payment.declined')
      .execute()
    expect(declined.some((r) => r.payload.includes(orderId))).toBe(true)
    // seconds: 0 ends it: the next card goes through.
    expect((await faults({ errorRate: 1, seconds: 0 })).status).toBe(200)
    const after = await requestPayment(await tokenize())
    expect((await settled([after]))[0]!.state).toBe('captured')
  })
})
