import { orders, type EventData } from '@emporium/contracts'
import type { OrderFact, ProjectionsIn } from '../app/ports.js'
import { projected } from './projected.js'

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
  projected(orders.OrderPlaced, deps, (run, projections) =>
    projections.ordersPlaced(run.map(({ data, envelope }) => ({ envelope, fact: factOf(data) }))),
  )

/** `order.confirmed`: the order was paid; its lines count for the top products. */
export const onOrderConfirmed = (deps: Deps) =>
  projected(orders.OrderConfirmed, deps, (run, projections) =>
    projections.ordersConfirmed(
      run.map(({ data, envelope }) => ({ envelope, fact: factOf(data) })),
    ),
  )

/** `order.cancelled`: its lines no longer count for the top products (its refund is payments'). */
export const onOrderCancelled = (deps: Deps) =>
  projected(orders.OrderCancelled, deps, (run, projections) =>
    projections.ordersCancelled(
      run.map(({ data, envelope }) => ({
        envelope,
        fact: { orderId: data.orderId, userId: data.userId, at: new Date(data.at) },
      })),
    ),
  )
