import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { retryAfterMs } from '../classify.js'
import { between } from '../random.js'
import { cardNumbers } from '../types.js'
import { addInStock } from './cart.js'
import { isOk, as, withShopper, type Scenario } from './context.js'
import { followOrder } from './follow-order.js'

/** A shopper's pause after an order before their next cart (see ShopperPool.release). */
const restAfterOrderMs = 3_000

/** Placements repeated after a 429/503 with retry-after (the platform shedding a burst). */
const shedRetries = 5
/** Longest retry-after a placement waits for; past it the shopper gives up (throttled). */
const longestShedWaitMs = 30_000

const shippingAddress = {
  name: 'Load Shopper',
  line1: '1 Market Street',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
}

/**
 * Fills an emptied cart with one to three products in stock, places the order with a test
 * card and an Idempotency-Key (retried once with the same key when no answer came, and after
 * `retry-after` when the platform shed it with a 429/503: those repeats are recorded as
 * `orders.place.retry`), then follows it to its final status.
 */
export const checkout: Scenario = (context) =>
  withShopper(
    context,
    async (shopper, init) => {
      const { http, random, checkout: tally } = context
      const clear = await http.call('cart.clear', (api) => api.DELETE('/api/v1/cart'), init)
      if (!isOk(clear)) {
        tally.notPlaced(clear.outcome.kind === 'throttled' ? 'throttled' : 'error')
        return 'failed'
      }
      const added = new Set<string>()
      const wanted = between(random, 1, 3)
      for (let i = 0; i < wanted; i++) {
        const product = await addInStock(context, init, added)
        if (product === 'failed') {
          tally.notPlaced('error')
          return 'failed'
        }
        if (product !== 'sold_out') added.add(product.id)
      }
      if (added.size === 0) {
        tally.notPlaced('out_of_stock')
        return 'done'
      }

      const card = context.pickCard(random)
      const key = randomUUID()
      const body = {
        shippingAddress,
        payment: {
          cardNumber: cardNumbers[card],
          expMonth: 12,
          expYear: new Date().getUTCFullYear() + 3,
          cvc: '123',
        },
      }
      const started = Date.now()
      const place = (operation = 'orders.place') =>
        http.call(
          operation,
          (api) =>
            api.POST('/api/v1/orders', { body, params: { header: { 'idempotency-key': key } } }),
          init,
        )
      let placed = await place()
      if (!placed.answered && placed.outcome.kind === 'error') placed = await place()
      // Shed (admission control) or throttled: the same key after the wait the platform asked.
      for (let i = 0; i < shedRetries && placed.answered; i++) {
        if (placed.status !== 429 && placed.status !== 503) break
        const waitMs = retryAfterMs(placed.headers.get('retry-after'))
        if (waitMs === undefined || waitMs > longestShedWaitMs || context.stop.aborted) break
        const jitterMs = random() * 500
        await sleep(waitMs + jitterMs, undefined, { signal: context.stop }).catch(() => undefined)
        if (context.stop.aborted) break
        placed = await place('orders.place.retry')
      }
      if (!isOk(placed)) {
        const kind = placed.outcome.kind
        tally.notPlaced(
          kind === 'expected'
            ? placed.outcome.reason
            : kind === 'throttled'
              ? 'throttled'
              : 'error',
        )
        return kind === 'expected' ? 'done' : 'failed'
      }
      tally.placed()
      context.orderIds.push(placed.body.id)
      if (context.follow === 'none') {
        tally.ended(card, undefined, null, 0)
        return 'done'
      }
      const end = await followOrder(
        context,
        () => as(context, shopper),
        placed.body.id,
        started + context.finalTimeoutMs,
      )
      tally.ended(card, end?.status, end?.cancellationReason ?? null, Date.now() - started)
      return 'done'
    },
    restAfterOrderMs,
  )
