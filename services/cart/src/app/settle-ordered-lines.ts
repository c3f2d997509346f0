import { settleOrder, type OrderedLine, type Settlement } from '../domain/settle-order.js'
import { mutateCart } from './mutate-cart.js'
import type { CartWriter } from './ports.js'

/** A confirmed order, as far as the cart cares. */
export interface ConfirmedOrder {
  orderId: string
  userId: string
  lines: readonly OrderedLine[]
  /** The cart's version the order was placed from (absent for orders placed before it was). */
  cartVersion?: number
}

/**
 * Takes out of the buyer's cart what a confirmed order bought (domain/settle-order.ts), leaving
 * what the shopper added since. The cart's compare-and-set makes it safe against a concurrent
 * add (the rule runs again on the newer cart), and the settled list it writes in the same write
 * makes a second application of the same order change nothing, even where the store does not
 * commit with the consumer's inbox (Redis). No cart, or none of the order's products left in it:
 * nothing is written. Answers what it did.
 */
export function createSettleOrderedLines(deps: { store: CartWriter; now: () => Date }) {
  return async function settleOrderedLines(order: ConfirmedOrder): Promise<Settlement['kind']> {
    let outcome: Settlement['kind'] = 'nothing_to_settle'
    await mutateCart(deps.store, order.userId, deps.now, (cart) => {
      const settlement = settleOrder(cart, order.orderId, order.lines, order.cartVersion)
      outcome = settlement.kind
      return settlement.kind === 'settled' ? settlement : undefined
    })
    return outcome
  }
}
