import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from './reporting-harness.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })
const line = (productId: string, name: string, quantity: number, unit: number) => ({
  productId,
  variantId: `${productId}-v`,
  name,
  unitPrice: usd(unit),
  quantity,
})

/** What every database kind must do alike. */
export function reportingSuite(kind: 'postgres' | 'pglite') {
  describe(`reporting service on ${kind}`, () => {
    let h: Harness
    const run = randomUUID().slice(0, 8)
    const [a, b, c] = ['a', 'b', 'c'].map((x) => `order-${x}-${run}`) as [string, string, string]
    const [u1, u2] = [`u1-${run}`, `u2-${run}`]
    const linesA = [line('p1', 'Shirt', 2, 1000), line('p2', '=HYPERLINK("x")', 1, 1000)]
    const linesB = [line('p1', 'Shirt', 1, 500)]
    const capturedA = randomUUID()

    beforeAll(async () => {
      h = await createHarness(kind)
      const at = (time: string) => ({ at: `2026-03-01T${time}Z` })
      // Out of order on purpose: a capture before its placement, a cancellation before the
      // confirmation, a redelivery, and a refund told twice (two event ids, one refund).
      await h.publish(
        'payment.captured',
        {
          paymentId: `pay-a-${run}`,
          orderId: a,
          userId: u1,
          amount: usd(3000),
          last4: '4242',
          ...at('10:01:00.000'),
        },
        { id: capturedA, at: '2026-03-01T10:01:00.000Z' },
      )
      await h.publish(
        'order.placed',
        { orderId: a, userId: u1, lines: linesA, total: usd(3000), ...at('10:00:00.000') },
        { at: '2026-03-01T10:00:00.000Z' },
      )
      await h.publish(
        'order.confirmed',
        { orderId: a, userId: u1, lines: linesA, total: usd(3000), ...at('10:01:00.000') },
        { at: '2026-03-01T10:01:00.001Z' },
      )
      await h.publish(
        'payment.captured',
        {
          paymentId: `pay-a-${run}`,
          orderId: a,
          userId: u1,
          amount: usd(3000),
          last4: '4242',
          ...at('10:01:00.000'),
        },
        { id: capturedA, at: '2026-03-01T10:01:00.000Z' },
      )
      await h.publish(
        'order.placed',
        { orderId: b, userId: u1, lines: linesB, total: usd(500), ...at('11:00:00.000') },
        { at: '2026-03-01T11:00:00.000Z' },
      )
      await h.publish(
        'order.cancelled',
        {
          orderId: b,
          userId: u1,
          previousStatus: 'confirmed',
          reason: 'customer_request',
          lines: linesB,
          total: usd(500),
          at: '2026-03-02T09:00:00.000Z',
        },
        { at: '2026-03-02T09:00:00.000Z' },
      )
      await h.publish(
        'order.confirmed',
        { orderId: b, userId: u1, lines: linesB, total: usd(500), ...at('11:01:00.000') },
        { at: '2026-03-01T11:01:00.000Z' },
      )
      await h.publish(
        'payment.captured',
        {
          paymentId: `pay-b-${run}`,
          orderId: b,
          userId: u1,
          amount: usd(500),
          last4: '4242',
          ...at('11:01:00.000'),
        },
        { at: '2026-03-01T11:01:00.000Z' },
      )
      for (let i = 0; i < 2; i++) {
        await h.publish(
          'payment.refunded',
          {
            paymentId: `pay-b-${run}`,
            refundId: `r1-${run}`,
            orderId: b,
            userId: u1,
            amount: usd(200),
            last4: '4242',
            at: '2026-03-02T08:00:00.000Z',
          },
          { at: '2026-03-02T08:00:00.000Z' },
        )
      }
      await h.publish(
        'payment.refunded',
        {
          paymentId: `pay-b-${run}`,
          orderId: b,
          userId: u1,
          amount: usd(300),
          last4: '4242',
          at: '2026-03-02T09:00:01.000Z',
        },
        { at: '2026-03-02T09:00:01.000Z' },
      )
      await h.publish(
        'order.placed',
        { orderId: c, userId: u2, lines: linesB, total: usd(500), ...at('12:00:00.000') },
        { at: '2026-03-01T12:00:00.000Z' },
      )
      await h.publish(
        'order.cancelled',
        {
          orderId: c,
          userId: u2,
          previousStatus: 'pending',
          reason: 'out_of_stock',
          lines: linesB,
          total: usd(500),
          ...at('12:00:05.000'),
        },
        { at: '2026-03-01T12:00:05.000Z' },
      )
      // Only for the timeline: a return asked of order a.
      await h.publish(
        'return.requested',
        {
          returnId: `ret-${run}`,
          orderId: a,
          userId: u1,
          lines: [{ productId: 'p1', variantId: 'p1-v', quantity: 1 }],
          reason: 'too small',
          deadlineAt: '2026-03-31T00:00:00.000Z',
          at: '2026-03-05T00:00:00.000Z',
        },
        { at: '2026-03-05T00:00:00.000Z' },
      )
      // Staff actions: one on order b (its timeline too).
      const actor = { userId: `staff-${run}`, roles: ['support'] }
      await h.publish(
        'audit.recorded',
        {
          actor,
          action: 'order.note-added',
          entity: { type: 'order', id: b },
          before: null,
          after: { text: 'called' },
          at: '2026-03-01T11:30:00.000Z',
        },
        { source: 'orders', at: '2026-03-01T11:30:00.000Z' },
      )
      await h.publish(
        'audit.recorded',
        {
          actor,
          action: 'order.cancelled',
          entity: { type: 'order', id: b },
          before: { status: 'confirmed' },
          after: { status: 'cancelled' },
          at: '2026-03-02T09:00:00.000Z',
        },
        { source: 'orders', at: '2026-03-02T09:00:00.000Z' },
      )
      await h.publish(
        'audit.recorded',
        {
          actor: { userId: `owner-${run}`, roles: ['owner'] },
          action: 'product.price-changed',
          entity: { type: 'product', id: 'p1' },
          before: { price: 1000 },
          after: { price: 1200 },
          at: '2026-03-02T10:00:00.000Z',
        },
        { source: 'catalog', at: '2026-03-02T10:00:00.000Z' },
      )
      // Carts started (issue 19), by the UTC day of their `at`: one the day before, four on
      // 2026-03-01 (a guest's among them; one told twice under two ids and once redelivered),
      // one at midnight after. The same cart started again later counts again.
      const started = async (cartId: string, time: string, id?: string) =>
        h.publish(
          'cart.started',
          { cartId, guest: cartId.startsWith('guest_'), at: time },
          { source: 'cart', at: time, ...(id ? { id } : {}) },
        )
      await started(u1, '2026-02-28T23:59:59.999Z')
      const once = await started(u1, '2026-03-01T09:00:00.000Z')
      await started(u1, '2026-03-01T09:00:00.000Z', once)
      await started(u1, '2026-03-01T09:00:00.000Z')
      await started(`guest_${run}`, '2026-03-01T09:30:00.000Z')
      await started(u2, '2026-03-01T11:59:00.000Z')
      await started(u1, '2026-03-01T23:59:59.999Z')
      await started(u2, '2026-03-02T00:00:00.000Z')
      await h.until(async () => {
        const [payments, audits, events, carts] = await Promise.all(
          ['reporting_payments', 'audit_trail', 'reporting_order_events', 'reporting_carts'].map(
            async (table) =>
              Number(
                (
                  await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(
                    h.db,
                  )
                ).rows[0]!.n,
              ),
          ),
        )
        return payments === 4 && audits === 3 && events === 15 && carts === 6
      }, 'every event handled')
    }, 120_000)

    afterAll(async () => {
      await h?.close()
    })

    it("sums the day's figures whatever order the events came in, each fact once", async () => {
      const reply = await h.call('GET', '/reports/daily?from=2026-02-28&to=2026-03-02')
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({
        currency: 'USD',
        days: [
          {
            date: '2026-02-28',
            orders: 0,
            revenue: usd(0),
            averageOrderValue: usd(0),
            refunds: 0,
            refundedAmount: usd(0),
            // A cart started, nothing paid.
            carts: 1,
            conversion: 0,
            placed: 0,
          },
          {
            date: '2026-03-01',
            orders: 2,
            revenue: usd(3500),
            averageOrderValue: usd(1750),
            refunds: 0,
            refundedAmount: usd(0),
            // Four carts started (the one told three times counts once), three orders placed.
            carts: 4,
            conversion: 0.5,
            placed: 3,
          },
          {
            date: '2026-03-02',
            orders: 0,
            revenue: usd(0),
            averageOrderValue: usd(0),
            refunds: 2,
            refundedAmount: usd(500),
            carts: 1,
            conversion: 0,
            placed: 0,
          },
        ],
      })
      const euro = await h.call('GET', '/reports/daily?from=2026-03-01&to=2026-03-01&currency=EUR')
      // Carts have no currency: every currency's report counts them; no order was in euros.
      expect(euro.body.days[0]).toMatchObject({
        orders: 0,
        revenue: { amount: 0, currency: 'EUR' },
        carts: 4,
        conversion: 0,
        placed: 0,
      })
    })

    it('exports the figures as CSV', async () => {
      const reply = await h.call('GET', '/reports/daily.csv?from=2026-03-01&to=2026-03-02')
      expect(reply.status).toBe(200)
      expect(reply.headers.get('content-type')).toMatch(/^text\/csv/)
      expect(reply.headers.get('content-disposition')).toBe(
        'attachment; filename="daily-2026-03-01-2026-03-02.csv"',
      )
      expect(reply.text.split('\r\n')).toEqual([
        'date,orders,revenue,average_order_value,refunds,refunded_amount,carts,conversion,currency,placed',
        '2026-03-01,2,35.00,17.50,0,0.00,4,0.5,USD,3',
        '2026-03-02,0,0.00,0.00,2,5.00,1,0,USD,0',
        '',
      ])
    })

    it('ranks the products of paid orders not cancelled since; their CSV defuses formulas', async () => {
      const reply = await h.call('GET', '/reports/top-products?from=2026-03-01&to=2026-03-02')
      expect(reply.status).toBe(200)
      expect(reply.body.items).toEqual([
        { productId: 'p1', variantId: 'p1-v', name: 'Shirt', quantity: 2, revenue: usd(2000) },
        {
          productId: 'p2',
          variantId: 'p2-v',
          name: '=HYPERLINK("x")',
          quantity: 1,
          revenue: usd(1000),
        },
      ])
      const limited = await h.call(
        'GET',
        '/reports/top-products?from=2026-03-01&to=2026-03-01&limit=1',
      )
      expect(limited.body.items).toHaveLength(1)
      const csv = await h.call('GET', '/reports/top-products.csv?from=2026-03-01&to=2026-03-02')
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/)
      expect(csv.text).toContain(`p2,p2-v,"'=HYPERLINK(""x"")",1,10.00,USD\r\n`)
    })

    it("gives a customer's lifetime value: captured less refunded", async () => {
      const reply = await h.call('GET', `/reports/customers/${u1}`)
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({
        userId: u1,
        orders: 2,
        lifetimeValue: usd(3000),
        refunded: usd(500),
        firstOrderAt: '2026-03-01T10:01:00.000Z',
        lastOrderAt: '2026-03-01T11:01:00.000Z',
      })
      const never = await h.call('GET', `/reports/customers/${u2}`)
      expect(never.body).toMatchObject({ orders: 0, lifetimeValue: usd(0), firstOrderAt: null })
    })

    it("tells an order's timeline: every event naming it, by time, as received", async () => {
      const reply = await h.call('GET', `/reports/orders/${b}/timeline`)
      expect(reply.status).toBe(200)
      expect(reply.body.items.map((item: { type: string }) => item.type)).toEqual([
        'order.placed',
        'order.confirmed',
        'payment.captured',
        'audit.recorded',
        'payment.refunded',
        'payment.refunded',
        'order.cancelled',
        'audit.recorded',
        'payment.refunded',
      ])
      expect(reply.body.items[0]).toMatchObject({
        type: 'order.placed',
        source: 'orders',
        occurredAt: '2026-03-01T11:00:00.000Z',
        data: { orderId: b, total: usd(500) },
      })
      const ofA = await h.call('GET', `/reports/orders/${a}/timeline`)
      expect(ofA.body.items.map((item: { type: string }) => item.type)).toEqual([
        'order.placed',
        'payment.captured',
        'order.confirmed',
        'return.requested',
      ])
      const unknown = await h.call('GET', `/reports/orders/nothing-${run}/timeline`)
      expect(unknown.body).toEqual({ items: [] })
    })

    it('searches the audit trail, newest first, a page at a time', async () => {
      const all = await h.call('GET', '/audit')
      expect(all.status).toBe(200)
      expect(all.body.items.map((item: { action: string }) => item.action)).toEqual([
        'product.price-changed',
        'order.cancelled',
        'order.note-added',
      ])
      expect(all.body.items[0]).toMatchObject({
        actor: { userId: `owner-${run}`, roles: ['owner'] },
        entity: { type: 'product', id: 'p1' },
        before: { price: 1000 },
        after: { price: 1200 },
        at: '2026-03-02T10:00:00.000Z',
        source: 'catalog',
      })
      expect(all.body.nextCursor).toBeNull()

      const first = await h.call('GET', `/audit?entityType=order&entityId=${b}&limit=1`)
      expect(first.body.items).toMatchObject([{ action: 'order.cancelled' }])
      const second = await h.call(
        'GET',
        `/audit?entityType=order&entityId=${b}&limit=1&cursor=${first.body.nextCursor}`,
      )
      expect(second.body.items).toMatchObject([{ action: 'order.note-added', before: null }])
      expect(second.body.nextCursor).toBeNull()

      const byActor = await h.call('GET', `/audit?actorId=owner-${run}`)
      expect(byActor.body.items).toHaveLength(1)
      const byAction = await h.call('GET', '/audit?action=order.note-added')
      expect(byAction.body.items).toHaveLength(1)
      const window = await h.call('GET', '/audit?from=2026-03-01T12:00:00Z&to=2026-03-02T09:30:00Z')
      expect(window.body.items).toMatchObject([{ action: 'order.cancelled' }])
    })

    it('keeps the audit trail append-only in the database itself', async () => {
      await expect(
        sql`update audit_trail set action = 'order.forged'`.execute(h.db),
      ).rejects.toThrow(/append-only/)
      await expect(sql`delete from audit_trail`.execute(h.db)).rejects.toThrow(/append-only/)
      await expect(sql`truncate audit_trail`.execute(h.db)).rejects.toThrow(/append-only/)
      const rows = await h.db.selectFrom('audit_trail').select('action').execute()
      expect(rows.map((row) => row.action).sort()).toEqual([
        'order.cancelled',
        'order.note-added',
        'product.price-changed',
      ])
    })

    it('answers bad queries with a 400 problem', async () => {
      for (const path of [
        '/reports/daily?from=2026-03-02&to=2026-03-01',
        '/reports/daily?from=2026-02-30&to=2026-03-01',
        '/reports/daily?from=2025-01-01&to=2026-06-01',
        '/reports/daily?from=yesterday&to=2026-03-01',
        '/reports/daily?to=2026-03-01',
        '/reports/daily.csv?from=2026-03-02&to=2026-03-01',
        '/reports/top-products?from=2026-03-01&to=2026-03-01&limit=0',
        '/reports/daily?from=2026-03-01&to=2026-03-01&currency=usd',
        '/audit?cursor=not-ours',
        '/audit?limit=101',
        '/audit?from=soon',
        '/audit?unknown=1',
      ]) {
        const reply = await h.call('GET', path)
        expect(reply.status, path).toBe(400)
        expect(reply.headers.get('content-type'), path).toMatch(/^application\/problem\+json/)
      }
      const range = await h.call('GET', '/reports/daily?from=2026-03-02&to=2026-03-01')
      expect(range.body.code).toBe('REPORTING.INVALID_RANGE')
      const cursor = await h.call('GET', '/audit?cursor=not-ours')
      expect(cursor.body.code).toBe('REPORTING.INVALID_CURSOR')
    })

    it('lets in only the staff holding each route’s permission', async () => {
      const routes = {
        reports: '/reports/daily?from=2026-03-01&to=2026-03-01',
        csv: '/reports/daily.csv?from=2026-03-01&to=2026-03-01',
        customer: `/reports/customers/${u1}`,
        timeline: `/reports/orders/${b}/timeline`,
        audit: '/audit',
      }
      const expected: Record<string, Record<keyof typeof routes, number>> = {
        shopper: { reports: 403, csv: 403, customer: 403, timeline: 403, audit: 403 },
        catalogManager: { reports: 200, csv: 200, customer: 403, timeline: 403, audit: 403 },
        fulfilment: { reports: 403, csv: 403, customer: 403, timeline: 200, audit: 403 },
        support: { reports: 403, csv: 403, customer: 200, timeline: 200, audit: 403 },
        admin: { reports: 200, csv: 200, customer: 200, timeline: 200, audit: 200 },
      }
      for (const [who, statuses] of Object.entries(expected)) {
        for (const [route, status] of Object.entries(statuses)) {
          const reply = await h.call('GET', routes[route as keyof typeof routes], h[who as 'admin'])
          expect(reply.status, `${who} ${route}`).toBe(status)
          if (status === 403) expect(reply.body.code).toBe('AUTH.FORBIDDEN')
        }
      }
      for (const path of Object.values(routes)) {
        expect((await h.call('GET', path, '')).status).toBe(401)
      }
    })
  })
}
