import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { cards, type ShopClient } from './shop-client.js'

const utcDay = (at: Date) => at.toISOString().slice(0, 10)

/**
 * The reporting service's figures (issue 19) reconciled with the orders and the payments ledger,
 * end to end through the gateway, on a platform of its own (the ledger's sums are the whole
 * platform's): orders paid, one declined, one cancelled after payment (refunded), a partial
 * refund; the reports' revenue and refunds are the ledger's captured and refunded, their orders
 * the captures, their `placed` the orders placed, their carts at least every cart started (the
 * ordering shoppers' and an abandoned one), the top product's units those of the orders still
 * confirmed, and the cancelled order's timeline tells its story. Shared by the embedded and the
 * distributed runs.
 */
export function reportingSuite(platform: () => { client: ShopClient; adminToken: string }) {
  it('counts what was paid and refunded as the ledger does, and each order as the orders service', async () => {
    const { client, adminToken } = platform()
    const from = utcDay(new Date(Date.now() - 86_400_000))
    const product = await client.createProduct(adminToken, 1250, 50)
    const buy = async (quantity: number, card: string) => {
      const shopper = await client.register()
      await client.addToCart(shopper.token, product.id, quantity)
      const placed = await client.placeOrder(shopper.token, card)
      expect(placed.status, JSON.stringify(placed.body)).toBe(202)
      return { shopper, order: placed.body }
    }
    const paid = [
      await buy(1, cards.approved),
      await buy(2, cards.approved),
      await buy(3, cards.approved),
    ]
    const declined = await buy(1, cards.declined)
    // A cart abandoned before checkout (issue 19): started once, whatever is added after.
    const abandoner = await client.register()
    await client.addToCart(abandoner.token, product.id, 1)
    await client.addToCart(abandoner.token, product.id, 1)
    for (const { shopper, order } of paid) {
      await client.waitForOrder(shopper.token, order.id, (o) => o.status === 'confirmed')
    }
    await client.waitForOrder(
      declined.shopper.token,
      declined.order.id,
      (o) => o.status === 'payment_failed',
    )
    // The second paid order is cancelled by its shopper: refunded in full.
    const cancelledOne = paid[1]!
    const cancel = await client.call(`/orders/${cancelledOne.order.id}/cancel`, {
      token: cancelledOne.shopper.token,
      method: 'POST',
    })
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(202)
    await expect
      .poll(
        async () =>
          (await client.payments(cancelledOne.shopper.token, cancelledOne.order.id)).map(
            (payment) => payment.status,
          ),
        { timeout: 60_000, interval: 250 },
      )
      .toContain('refunded')

    // Staff refund part of the first paid order (issue 19): a partial refund counts by its amount.
    const partial = await client.call(`/orders/${paid[0]!.order.id}/refunds`, {
      token: adminToken,
      body: { amount: { amount: 500, currency: 'USD' }, reason: 'damaged' },
      headers: { 'idempotency-key': randomUUID() },
    })
    expect(partial.status, JSON.stringify(partial.body)).toBe(202)
    await expect
      .poll(
        async () =>
          (await client.call(`/orders/${paid[0]!.order.id}/refunds`, { token: adminToken })).body
            ?.items?.[0]?.status,
        { timeout: 60_000, interval: 250 },
      )
      .toBe('refunded')

    const to = utcDay(new Date(Date.now() + 86_400_000))
    const ledger = await client.call('/payments/reconciliation', { token: adminToken })
    expect(ledger.status, JSON.stringify(ledger.body)).toBe(200)
    const usd = ledger.body.currencies.find((c: { currency: string }) => c.currency === 'USD')
    expect(usd).toMatchObject({ captured: 1250 * 6, refunded: 1250 * 2 + 500 })

    // The reports catch up with the events: then every figure is the ledger's and the orders'.
    const sum = (days: Array<Record<string, any>>, pick: (day: Record<string, any>) => number) =>
      days.reduce((total, day) => total + pick(day), 0)
    let days: Array<Record<string, any>> = []
    await expect
      .poll(
        async () => {
          const reply = await client.call(`/reports/daily?from=${from}&to=${to}`, {
            token: adminToken,
          })
          expect(reply.status, JSON.stringify(reply.body)).toBe(200)
          days = reply.body.days
          return {
            revenue: sum(days, (day) => day.revenue.amount),
            refunded: sum(days, (day) => day.refundedAmount.amount),
          }
        },
        { timeout: 60_000, interval: 500 },
      )
      .toEqual({ revenue: usd.captured, refunded: usd.refunded })
    expect(days).toHaveLength(3)

    const orders = await client.allOrders(adminToken)
    const byStatus = (status: string) => orders.filter((order) => order.status === status)
    const kept = [...byStatus('confirmed'), ...byStatus('shipped')]
    // Net revenue is what the kept orders are worth less their partial refunds; paid orders are
    // those captured; refunds the cancellation's and the partial one.
    expect(usd.captured - usd.refunded).toBe(
      kept.reduce((total, o) => total + o.total.amount, 0) - 500,
    )
    expect(sum(days, (day) => day.orders)).toBe(paid.length)
    expect(sum(days, (day) => day.refunds)).toBe(2)
    // `placed` is every order placed; carts are the carts started (`cart.started`): at least one
    // per shopper who ordered, and the abandoned one (at least: the figures are the platform's).
    const orderingCarts = new Set([...paid, declined].map(({ shopper }) => shopper.userId)).size
    await expect
      .poll(
        async () => {
          const reply = await client.call(`/reports/daily?from=${from}&to=${to}`, {
            token: adminToken,
          })
          const replied: Array<Record<string, any>> = reply.body.days
          return {
            placed: sum(replied, (day) => day.placed),
            enoughCarts: sum(replied, (day) => day.carts) >= orderingCarts + 1,
          }
        },
        { timeout: 60_000, interval: 500 },
      )
      .toEqual({ placed: orders.length, enoughCarts: true })

    const top = await client.call(`/reports/top-products?from=${from}&to=${to}`, {
      token: adminToken,
    })
    expect(top.body.items).toMatchObject([
      { productId: product.id, quantity: 4, revenue: { amount: 1250 * 4, currency: 'USD' } },
    ])

    const customer = await client.call(`/reports/customers/${cancelledOne.shopper.userId}`, {
      token: adminToken,
    })
    expect(customer.body).toMatchObject({
      orders: 1,
      lifetimeValue: { amount: 0 },
      refunded: { amount: 2500 },
    })

    const timeline = await client.call(`/reports/orders/${cancelledOne.order.id}/timeline`, {
      token: adminToken,
    })
    const types = timeline.body.items.map((item: { type: string }) => item.type)
    for (const type of [
      'order.placed',
      'order.payment-requested',
      'payment.captured',
      'order.confirmed',
      'order.cancelled',
      'payment.refunded',
    ]) {
      expect(types, JSON.stringify(types)).toContain(type)
    }
    expect(types.indexOf('order.placed')).toBe(0)

    // The CSV has one row per day and the same totals.
    const csv = await client.call(`/reports/daily.csv?from=${from}&to=${to}`, { token: adminToken })
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/)
    const csvRows = String(csv.body).trim().split('\r\n')
    expect(csvRows).toHaveLength(1 + days.length)
    expect(csvRows[0]!.split(',').at(-1)).toBe('placed')

    // Staff without reports.read get a 403 from the gateway and the service alike; shoppers too.
    const shopper = await client.register()
    const refused = await client.call(`/reports/daily?from=${from}&to=${to}`, {
      token: shopper.token,
    })
    expect(refused.status).toBe(403)
  })
}
