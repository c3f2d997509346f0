import type { HandlerContext } from '@emporium/platform'
import { createClearCart } from '../app/clear-cart.js'
import type { CartClear } from '../app/ports.js'

/** Carts as the consumer may empty them, given its inbox transaction. */
export type CartsIn = (trx: HandlerContext['trx']) => CartClear

/**
 * `order.confirmed`: the shopper bought what the cart held, so the cart empties. Idempotent: a
 * redelivery is skipped by the inbox, and deleting a cart that is gone is fine anyway.
 */
export function onOrderConfirmed(deps: { cartsIn: CartsIn }) {
  return async (data: { userId: string }, { trx }: HandlerContext) => {
    await createClearCart({ store: deps.cartsIn(trx) })(data.userId)
  }
}
