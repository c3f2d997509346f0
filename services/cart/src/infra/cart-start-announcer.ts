import { cart as contracts } from '@emporium/contracts'
import type { Database, Logger, Outbox } from '@emporium/platform'
import type { CartStart } from '../app/ports.js'

/**
 * Writes `cart.started` to the outbox in a transaction of its own, for a cart store that cannot
 * write it in the cart's (Redis: right after the cart's compare-and-set). Never throws: the
 * shopper's cart is already written, and failing the add for reporting's count would make the
 * shopper retry an add that happened. A failure is logged at warn and the cart goes uncounted.
 */
export function createCartStartAnnouncer(deps: {
  database: Database
  outbox: Outbox
  log: Logger
}): (start: CartStart) => Promise<void> {
  return async (start) => {
    try {
      await deps.database.db
        .transaction()
        .execute((trx) => deps.outbox.add(trx, contracts.CartStarted, start))
    } catch (error) {
      deps.log.warn(
        { err: error, cartId: start.cartId },
        'cart.started not written to the outbox: this cart is missing from the carts reported',
      )
    }
  }
}
