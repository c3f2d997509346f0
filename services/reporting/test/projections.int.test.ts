import { randomUUID } from 'node:crypto'
import type { EventEnvelope } from '@emporium/contracts'
import { createConsumerSubscription, migrate, type Database } from '@emporium/platform'
import { createTestDatabase, createTestTokens, type TestDatabase } from '@emporium/platform/testing'
import { InsertQueryNode, type Kysely, type KyselyPlugin } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReportingTables } from '../src/infra/tables.js'
import { createReportingService, loadReportingConfig } from '../src/service.js'

const silent = pino({ level: 'silent' })
const usd = (amount: number) => ({ amount, currency: 'USD' })
const at = (minute: number, second = 0) =>
  `2026-03-01T10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`
const lines = [
  {
    productId: 'p1',
    variantId: 'p1-v',
    variantLabel: 'M / Blue',
    name: 'Shirt',
    unitPrice: usd(1000),
    quantity: 2,
  },
  { productId: 'p2', name: 'Mug', unitPrice: usd(500), quantity: 1 },
]
const sources: Record<string, string> = { payment: 'payments', cart: 'cart', audit: 'orders' }

/** An envelope as its producer would publish it, at its data's `at`. */
function told<D extends { at: string }>(type: string, data: D, id = randomUUID()): EventEnvelope {
  return {
    id,
    type,
    version: 1,
    occurredAt: data.at,
    source: sources[type.split('.')[0]!] ?? 'orders',
    correlationId: `corr-${id}`,
    causationId: null,
    data,
  }
}

/** The events reporting hears of one checkout, in the order they are published. */
function checkout(orderId: string) {
  const userId = `u-${orderId}`
  const order = { orderId, userId, lines, total: usd(2500) }
  return {
    userId,
    started: told('cart.started', { cartId: userId, guest: false, at: at(0) }),
    placed: told('order.placed', { ...order, at: at(1) }),
    requested: told('order.payment-requested', {
      orderId,
      userId,
      amount: usd(2500),
      paymentMethodId: 'pm-1',
      attempt: 1,
      at: at(2),
    }),
    captured: told('payment.captured', {
      paymentId: `pay-${orderId}`,
      orderId,
      userId,
      amount: usd(2500),
      last4: '4242',
      at: at(3),
    }),
    confirmed: told('order.confirmed', { ...order, at: at(4) }),
  }
}

const iso = (value: unknown) => (value === null ? null : new Date(value as string).toISOString())

/**
 * The reporting consumer's writes, as the platform's batch consumer applies them (a batch in one
 * transaction, runs of one type at once) and as the in-process bus does (one by one), on each
 * database: the rows each event leaves, and how many statements of its own it takes.
 */
describe.each(['postgres', 'pglite'] as const)('reporting projections on %s', (kind) => {
  let testDb: TestDatabase
  let db: Kysely<ReportingTables>
  let subscription: ReturnType<typeof createConsumerSubscription>
  /** Statements run in the consumer's transactions, the inbox's own left out. */
  let statements = 0
  const counter: KyselyPlugin = {
    transformQuery({ node }) {
      const inbox = InsertQueryNode.is(node) && node.into?.table.identifier.name === 'inbox'
      if (!inbox) statements++
      return node
    },
    transformResult: async ({ result }) => result,
  }

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    db = testDb.database.db as Kysely<ReportingTables>
    await migrate(testDb.database, { migrations: new URL('../migrations/', import.meta.url) })
    const counted: Database = {
      ...testDb.database,
      transaction: (fn) => testDb.database.transaction((trx) => fn(trx.withPlugin(counter))),
    }
    const config = loadReportingConfig({
      REPORTING_DATABASE_URL: testDb.url,
      REPORTING_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      LOG_LEVEL: 'silent',
    })
    const service = await createReportingService(config, {
      log: silent,
      database: testDb.database,
      verifier: createTestTokens().verifier,
    })
    subscription = createConsumerSubscription({
      consumer: 'reporting',
      handlers: service.consumers ?? [],
      database: counted,
      log: silent,
    })
  })

  afterAll(async () => {
    await testDb?.drop()
  })

  /** Applies the events as one batch; returns the statements it took. */
  async function batch(...events: EventEnvelope[]): Promise<number> {
    statements = 0
    const outcomes = await subscription.handleBatch!(
      events.map((envelope) => ({ envelope, delivery: { attempt: 1 } })),
    )
    expect(outcomes).toEqual(events.map(() => ({ ok: true })))
    return statements
  }

  /** Applies the events one at a time, as the in-process bus does; returns the statements. */
  async function oneByOne(...events: EventEnvelope[]): Promise<number> {
    statements = 0
    for (const envelope of events) await subscription.handle(envelope, { attempt: 1 })
    return statements
  }

  /** Everything reporting keeps of an order, comparable across databases. */
  async function rowsOf(orderId: string) {
    const order = await db
      .selectFrom('reporting_orders')
      .selectAll()
      .where('order_id', '=', orderId)
      .executeTakeFirst()
    const orderLines = await db
      .selectFrom('reporting_order_lines')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('position')
      .execute()
    const payments = await db
      .selectFrom('reporting_payments')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('key')
      .execute()
    const timeline = await db
      .selectFrom('reporting_order_events')
      .select(['event_id', 'type', 'version', 'source', 'occurred_at', 'data'])
      .where('order_id', '=', orderId)
      .orderBy('occurred_at')
      .orderBy('seq')
      .execute()
    return {
      order: order && {
        ...order,
        total: order.total === null ? null : Number(order.total),
        placed_at: iso(order.placed_at),
        confirmed_at: iso(order.confirmed_at),
        cancelled_at: iso(order.cancelled_at),
      },
      lines: orderLines.map((line) => ({ ...line, unit_price: Number(line.unit_price) })),
      payments: payments.map((p) => ({ ...p, amount: Number(p.amount), at: iso(p.at) })),
      timeline: timeline.map((e) => ({ ...e, occurred_at: iso(e.occurred_at) })),
    }
  }

  async function cartsOf(cartId: string) {
    const rows = await db
      .selectFrom('reporting_carts')
      .selectAll()
      .where('cart_id', '=', cartId)
      .orderBy('started_at')
      .execute()
    return rows.map((row) => ({ ...row, started_at: iso(row.started_at) }))
  }

  const lineRows = (orderId: string) => [
    {
      order_id: orderId,
      position: 0,
      product_id: 'p1',
      variant_id: 'p1-v',
      name: 'Shirt (M / Blue)',
      quantity: 2,
      unit_price: 1000,
      currency: 'USD',
    },
    {
      order_id: orderId,
      position: 1,
      product_id: 'p2',
      variant_id: null,
      name: 'Mug',
      quantity: 1,
      unit_price: 500,
      currency: 'USD',
    },
  ]

  const onTimeline = (...events: EventEnvelope[]) =>
    events.map((e) => ({
      event_id: e.id,
      type: e.type,
      version: 1,
      source: e.source,
      occurred_at: e.occurredAt,
      data: e.data,
    }))

  /** What a checkout leaves, whichever way its events came. */
  function checkedOut(orderId: string, events: ReturnType<typeof checkout>) {
    return {
      order: {
        order_id: orderId,
        user_id: events.userId,
        currency: 'USD',
        total: 2500,
        placed_at: at(1),
        placed_day: '2026-03-01',
        confirmed_at: at(4),
        confirmed_day: '2026-03-01',
        cancelled_at: null,
      },
      lines: lineRows(orderId),
      payments: [
        {
          key: `capture:pay-${orderId}`,
          kind: 'capture',
          order_id: orderId,
          user_id: events.userId,
          amount: 2500,
          currency: 'USD',
          at: at(3),
          day: '2026-03-01',
        },
      ],
      timeline: onTimeline(events.placed, events.requested, events.captured, events.confirmed),
    }
  }

  const ordered = (events: ReturnType<typeof checkout>) => [
    events.started,
    events.placed,
    events.requested,
    events.captured,
    events.confirmed,
  ]

  it("writes each of a checkout's events (timeline row and facts) in one statement", async () => {
    const orderId = `o-${randomUUID()}`
    const events = checkout(orderId)
    expect(await batch(...ordered(events))).toBe(5)
    expect(await rowsOf(orderId)).toEqual(checkedOut(orderId, events))
    expect(await cartsOf(events.userId)).toEqual([
      { cart_id: events.userId, started_at: at(0), day: '2026-03-01', guest: false },
    ])

    // One by one (the embedded mode's in-process bus): the same rows, a statement per event.
    const alone = `o-${randomUUID()}`
    const aloneEvents = checkout(alone)
    expect(await oneByOne(...ordered(aloneEvents))).toBe(5)
    expect(await rowsOf(alone)).toEqual(checkedOut(alone, aloneEvents))

    // Delivered again: the inbox skips them all.
    expect(await batch(...ordered(events))).toBe(0)
    expect(await rowsOf(orderId)).toEqual(checkedOut(orderId, events))
  })

  it("writes a run of one type's events of several orders in one statement", async () => {
    const ids = [1, 2, 3].map(() => `o-${randomUUID()}`)
    const all = ids.map((id) => checkout(id))
    const byType = (['started', 'placed', 'requested', 'captured', 'confirmed'] as const).flatMap(
      (step) => all.map((events) => events[step]),
    )
    expect(await batch(...byType)).toBe(5)
    for (const [i, id] of ids.entries()) {
      expect(await rowsOf(id)).toEqual(checkedOut(id, all[i]!))
      expect(await cartsOf(all[i]!.userId)).toHaveLength(1)
    }
  })

  it('keeps the first told of each fact, whatever the order and however often told', async () => {
    const orderId = `o-${randomUUID()}`
    const events = checkout(orderId)
    // Confirmed and paid before it was heard placed.
    expect(await batch(events.confirmed, events.captured)).toBe(2)
    expect((await rowsOf(orderId)).order).toMatchObject({ placed_at: null, confirmed_at: at(4) })
    // Then placed, told twice under two ids (the second later, with a line more) in one run, and
    // the confirmation redelivered: a statement for the run, none for the duplicate.
    const again = told('order.placed', {
      ...(events.placed.data as object),
      lines: [...lines, { productId: 'p3', name: 'Socks', unitPrice: usd(300), quantity: 3 }],
      total: usd(9999),
      at: at(1, 30),
    })
    expect(await batch(events.placed, again, events.confirmed)).toBe(1)
    // The capture again under another id, and a cart started twice (two ids) in one run.
    const twice = told('payment.captured', { ...(events.captured.data as object), at: at(5) })
    const restarted = told('cart.started', events.started.data as { at: string })
    expect(await batch(events.started, restarted, twice)).toBe(2)

    const expected = checkedOut(orderId, events)
    expect(await rowsOf(orderId)).toEqual({
      ...expected,
      // The confirmation came first: its total stays; the placement's time is the first told.
      lines: [
        ...expected.lines,
        {
          order_id: orderId,
          position: 2,
          product_id: 'p3',
          variant_id: null,
          name: 'Socks',
          quantity: 3,
          unit_price: 300,
          currency: 'USD',
        },
      ],
      timeline: onTimeline(events.placed, again, events.captured, events.confirmed, twice),
    })
    expect(await cartsOf(events.userId)).toHaveLength(1)
  })

  it("keeps an order's cancellation, before or after its confirmation, and its refunds once", async () => {
    const [early, late] = [`o-${randomUUID()}`, `o-${randomUUID()}`]
    const cancel = (orderId: string, minute: number) =>
      told('order.cancelled', {
        orderId,
        userId: `u-${orderId}`,
        previousStatus: 'confirmed',
        reason: 'customer_request',
        lines,
        total: usd(2500),
        at: at(minute),
      })
    const refund = (orderId: string) =>
      told('payment.refunded', {
        paymentId: `pay-${orderId}`,
        orderId,
        userId: `u-${orderId}`,
        amount: usd(2500),
        last4: '4242',
        at: at(7),
      })
    const e = checkout(early)
    const l = checkout(late)
    // The early one cancelled before its confirmation was heard; the late one after.
    const [cancelEarly, cancelLate] = [cancel(early, 6), cancel(late, 6)]
    const [refundEarly, refundLate] = [refund(early), refund(late)]
    expect(await batch(e.placed, cancelEarly, e.captured, e.confirmed)).toBe(4)
    expect(await oneByOne(l.placed, l.captured, l.confirmed, cancelLate)).toBe(4)
    // Both cancelled again later (two runs of one), the refunds told twice each (a run of four).
    const [againEarly, againLate] = [cancel(early, 8), cancel(late, 8)]
    const [refundEarly2, refundLate2] = [refund(early), refund(late)]
    expect(
      await batch(againEarly, againLate, refundEarly, refundEarly2, refundLate, refundLate2),
    ).toBe(2)

    for (const [orderId, events, cancelled, again, refunds] of [
      [early, e, cancelEarly, againEarly, [refundEarly, refundEarly2]],
      [late, l, cancelLate, againLate, [refundLate, refundLate2]],
    ] as const) {
      const expected = checkedOut(orderId, events)
      const rows = await rowsOf(orderId)
      expect(rows.order).toEqual({ ...expected.order, cancelled_at: at(6) })
      expect(rows.lines).toEqual(expected.lines)
      expect(rows.payments).toEqual([
        ...expected.payments,
        { ...expected.payments[0]!, key: `refund:pay-${orderId}`, kind: 'refund', at: at(7) },
      ])
      expect(rows.timeline.map((entry) => entry.event_id)).toEqual(
        [events.placed, events.captured, events.confirmed, cancelled, ...refunds, again].map(
          (event) => event.id,
        ),
      )
    }
  })

  it("keeps a run's timeline in delivery order, and staff actions on orders on theirs", async () => {
    const orderId = `o-${randomUUID()}`
    // Three attempts told at the same time: the timeline keeps them as delivered.
    const attempts = [3, 1, 2].map((attempt) =>
      told('order.payment-requested', {
        orderId,
        userId: 'u1',
        amount: usd(100),
        paymentMethodId: 'pm-1',
        attempt,
        at: at(2),
      }),
    )
    const action = (type: string, id: string, before: unknown) =>
      told('audit.recorded', {
        actor: { userId: 'staff-1', roles: ['support'] },
        action: `${type}.note-added`,
        entity: { type, id },
        before,
        after: { note: 'called' },
        at: at(3),
      })
    const onOrder = action('order', orderId, null)
    const productId = `p-${randomUUID()}`
    const onProduct = action('product', productId, { price: 1000 })
    expect(await batch(...attempts, onOrder, onProduct)).toBe(2)
    expect((await rowsOf(orderId)).timeline).toEqual(onTimeline(...attempts, onOrder))
    const trail = await db
      .selectFrom('audit_trail')
      .selectAll()
      .where('entity_id', 'in', [orderId, productId])
      .orderBy('entity_type')
      .execute()
    expect(trail.map((row) => ({ ...row, at: iso(row.at) }))).toEqual([
      {
        id: onOrder.id,
        actor_id: 'staff-1',
        actor_roles: ['support'],
        action: 'order.note-added',
        entity_type: 'order',
        entity_id: orderId,
        before: null,
        after: { note: 'called' },
        at: at(3),
        source: 'orders',
      },
      {
        id: onProduct.id,
        actor_id: 'staff-1',
        actor_roles: ['support'],
        action: 'product.note-added',
        entity_type: 'product',
        entity_id: productId,
        before: { price: 1000 },
        after: { note: 'called' },
        at: at(3),
        source: 'orders',
      },
    ])
  })
})
