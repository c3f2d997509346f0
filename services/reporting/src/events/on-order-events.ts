import { orders, type EventData } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { OrderFact, ProjectionsIn } from '../app/ports.js'

type Deps = { projectionsIn: ProjectionsIn }
type OrderWithLines = EventData<typeof orders.OrderPlaced>

/** An order's lines as the reports keep them (a variant's label joins its name). */
function factOf(data: OrderWithLines): OrderFact {
  return {
    orderId: data.orderId,
    userId: data.userId,
    total: data.total,
    lines: data.lines.map((line) => ({
      productId: line.productId,
      ...(line.variantId === undefined ? {} : { variantId: line.variantId }),
      name: line.variantLabel ? `${line.name} (${line.variantLabel})` : line.name,
      quantity: line.quantity,
      unitPrice: line.unitPrice.amount,
      currency: line.unitPrice.currency,
    })),
    at: new Date(data.at),
  }
}

/** `order.placed`: a cart reached checkout (the conversion's denominator); on the timeline. */
export const onOrderPlaced = (deps: Deps) =>
  handler(orders.OrderPlaced, {
    adapters: deps.projectionsIn,
    async handle(data, projections, { envelope }) {
      await projections.recordEvent(envelope, data.orderId)
      await projections.orderPlaced(factOf(data))
    },
  })

/** `order.confirmed`: the order was paid; its lines count for the top products. */
export const onOrderConfirmed = (deps: Deps) =>
  handler(orders.OrderConfirmed, {
    adapters: deps.projectionsIn,
    async handle(data, projections, { envelope }) {
      await projections.recordEvent(envelope, data.orderId)
      await projections.orderConfirmed(factOf(data))
    },
  })

/** `order.cancelled`: its lines no longer count for the top products (its refund is payments'). */
export const onOrderCancelled = (deps: Deps) =>
  handler(orders.OrderCancelled, {
    adapters: deps.projectionsIn,
    async handle(data, projections, { envelope }) {
      await projections.recordEvent(envelope, data.orderId)
      await projections.orderCancelled({
        orderId: data.orderId,
        userId: data.userId,
        at: new Date(data.at),
      })
    },
  })
