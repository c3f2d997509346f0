import { orders } from '@emporium/contracts'
import { handler, type HandlerContext } from '@emporium/platform'
import type { CartWriter } from '../app/ports.js'
import { createSettleOrderedLines, type ConfirmedOrder } from '../app/settle-ordered-lines.js'

/** Carts as the consumer may change them, given its inbox transaction. */
export type CartsIn = (trx: HandlerContext['trx']) => CartWriter

/**
 * `order.confirmed`: the shopper bought what the order lists, so exactly that leaves the cart
 * (each line's quantity subtracted, lines reaching 0 dropped); what the shopper added after
 * placing the order (a product, or more units of an ordered one) stays. Not emptying the cart:
 * the confirmation arrives a second or more after the order is placed, and the cart may have
 * been refilled meanwhile. Exactly once in effect: the SQL store writes in the inbox
 * transaction, which skips a redelivery; Redis cannot join that transaction, so the cart itself
 * records the orders it settled (in the same compare-and-set write) and a redelivery after a
 * crash between that write and the inbox commit subtracts nothing.
 */
export function onOrderConfirmed(deps: { cartsIn: CartsIn; now: () => Date }) {
  return handler(orders.OrderConfirmed, {
    adapters: deps.cartsIn,
    // Reads only what the cart settles, so a test may hand it just that.
    async handle(order: ConfirmedOrder, carts) {
      await createSettleOrderedLines({ store: carts, now: deps.now })(order)
    },
  })
}
