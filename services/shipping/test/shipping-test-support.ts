import { randomUUID } from 'node:crypto'
import type { Harness } from './shipping-harness.js'

export const usd = (amount: number) => ({ amount, currency: 'USD' })

/** `order.confirmed` data as the orders service publishes it. */
export function confirmed(
  orderId: string,
  userId: string,
  lines: Array<{ productId: string; variantId?: string; quantity: number }>,
) {
  return {
    orderId,
    userId,
    lines: lines.map((line) => ({ ...line, name: `Item ${line.productId}`, unitPrice: usd(1000) })),
    total: usd(1000 * lines.reduce((sum, line) => sum + line.quantity, 0)),
    at: new Date().toISOString(),
  }
}

/** The events the service wrote to its outbox for an order, oldest first. */
export async function eventsOf(h: Harness, type: string, orderId: string) {
  const rows = await h.db
    .selectFrom('outbox')
    .select(['payload'])
    .where('type', '=', type)
    .orderBy('seq')
    .execute()
  return rows
    .map(
      (row) => JSON.parse(row.payload) as { data: Record<string, unknown> & { orderId: string } },
    )
    .filter((event) => event.data.orderId === orderId)
    .map((event) => event.data)
}

/** Confirms an order through the bus and waits until the service has its copy. */
export async function confirmOrder(
  h: Harness,
  lines: Array<{ productId: string; variantId?: string; quantity: number }>,
) {
  const orderId = `order-${randomUUID()}`
  const userId = `user-${randomUUID()}`
  await h.publish('order.confirmed', confirmed(orderId, userId, lines))
  await h.until(
    async () =>
      (await h.db
        .selectFrom('shipping_orders')
        .select('order_id')
        .where('order_id', '=', orderId)
        .where('confirmed', '=', true)
        .executeTakeFirst()) !== undefined,
    `the confirmation of ${orderId}`,
  )
  return { orderId, userId }
}

export const ship = (orderId: string, lines: Array<{ variantId: string; quantity: number }>) => ({
  orderId,
  carrier: 'DHL',
  trackingNumber: `TRK-${randomUUID().slice(0, 8)}`,
  lines,
})

/** What every database kind must do alike. */
