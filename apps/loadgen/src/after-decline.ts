import type { Random } from './random.js'

/** What a shopper does with an order whose payment was declined (`payment_failed`). */
export type DeclineChoice = 'retry' | 'cancel'

/** Payment attempts a shopper makes after declines of one order before cancelling it. */
export const maxRetriesAfterDecline = 2

/**
 * A shopper whose order became `payment_failed` pays again with another card with a chance of
 * `retryPercent` in 100 (each time, up to `maxRetriesAfterDecline` retries of one order),
 * otherwise cancels it, as a shopper would rather than leave the stock held until the order's
 * payment deadline.
 */
export function chooseAfterDecline(
  random: Random,
  retryPercent: number,
  retriesSoFar: number,
): DeclineChoice {
  if (retriesSoFar >= maxRetriesAfterDecline) return 'cancel'
  return random() * 100 < retryPercent ? 'retry' : 'cancel'
}
