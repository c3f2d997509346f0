import { cart as contracts } from '@emporium/contracts'
import { createDeliveryBatcher, type Database, type Logger, type Outbox } from '@emporium/platform'
import type { CartStart } from '../app/ports.js'

export interface CartStartAnnouncer {
  /** Queues a cart's `cart.started`; resolves at once (the shopper's add never waits for it). */
  announce(start: CartStart): Promise<void>
  /** Resolves once every start queued so far is written (or its failure logged). */
  close(): Promise<void>
}

/**
 * Writes `cart.started` to the outbox for a cart store that cannot write it in the cart's own
 * transaction (Redis: the cart is its compare-and-set). Starts are gathered for `lingerMs` and
 * written in one transaction (up to `maxBatch` each): a shopper's add costs the database
 * nothing, and a busy shop writes a transaction per batch instead of one per cart (issue 14).
 * Never throws into the add: the shopper's cart is already written, and failing the add for
 * reporting's count would make the shopper retry an add that happened. A failed write is logged
 * at warn and its carts go uncounted, as do the starts still queued when the process dies without
 * its graceful stop (at most `lingerMs` of them); `close` waits for the queue to be written.
 */
export function createCartStartAnnouncer(deps: {
  database: Database
  outbox: Outbox
  log: Logger
  /** How long a start waits for others to share its transaction (CART_START_BATCH_MS). */
  lingerMs: number
  /** Most starts in one transaction. */
  maxBatch?: number
}): CartStartAnnouncer {
  const batcher = createDeliveryBatcher<null, CartStart>({
    maxBatch: deps.maxBatch ?? 500,
    lingerMs: deps.lingerMs,
    async run(_, batch) {
      try {
        await deps.database.db.transaction().execute(async (trx) => {
          for (const start of batch) await deps.outbox.add(trx, contracts.CartStarted, start)
        })
      } catch (error) {
        deps.log.warn(
          { err: error, carts: batch.map((s) => s.cartId) },
          'cart.started not written to the outbox: these carts are missing from the carts reported',
        )
      }
    },
    // `run` logs its own failures, naming the batch's carts.
    onError: () => undefined,
  })
  return {
    announce(start) {
      batcher.push(null, start)
      return Promise.resolve()
    },
    close: () => batcher.idle(),
  }
}
