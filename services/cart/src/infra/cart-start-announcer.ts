import { cart as contracts } from '@emporium/contracts'
import type { Database, Logger, Outbox } from '@emporium/platform'
import type { CartStart } from '../app/ports.js'

export interface CartStartAnnouncer {
  /** Queues a cart's `cart.started`; resolves at once (the shopper's add never waits for it). */
  announce(start: CartStart): Promise<void>
  /** Writes what is queued now; resolves once it is written (or its failure logged). */
  flush(): Promise<void>
  /** Stops taking starts and writes those queued (a graceful stop loses none). */
  close(): Promise<void>
}

/**
 * Writes `cart.started` to the outbox for a cart store that cannot write it in the cart's own
 * transaction (Redis: the cart is its compare-and-set). Starts are gathered for `lingerMs` (or
 * until `maxBatch` are queued) and written in one transaction: a shopper's add costs the
 * database nothing, and a busy shop writes a transaction per batch instead of one per cart
 * (issue 14). Never throws into the add: the shopper's cart is already written, and failing the
 * add for reporting's count would make the shopper retry an add that happened. A failed write is
 * logged at warn and its carts go uncounted, as do the starts still queued when the process dies
 * without its graceful stop (at most `lingerMs` of them); `close` writes the queue.
 */
export function createCartStartAnnouncer(deps: {
  database: Database
  outbox: Outbox
  log: Logger
  /** How long a start waits for others to share its transaction (CART_START_BATCH_MS). */
  lingerMs: number
  /** A batch this large is written at once. */
  maxBatch?: number
}): CartStartAnnouncer {
  const maxBatch = deps.maxBatch ?? 500
  let queued: CartStart[] = []
  let timer: NodeJS.Timeout | undefined
  let writing: Promise<void> = Promise.resolve()
  let closed = false

  async function write(batch: CartStart[]): Promise<void> {
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
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer)
    timer = undefined
    const batch = queued
    queued = []
    // One batch at a time, in the order they were queued.
    if (batch.length > 0) writing = writing.then(() => write(batch))
    return writing
  }

  return {
    announce(start) {
      if (closed) {
        // Late (an add that raced the stop): written on its own rather than dropped.
        return write([start])
      }
      queued.push(start)
      if (queued.length >= maxBatch) void flush()
      else timer ??= setTimeout(() => void flush(), deps.lingerMs)
      return Promise.resolve()
    },
    flush,
    async close() {
      closed = true
      await flush()
    },
  }
}
