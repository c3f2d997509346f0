import { createHmac } from 'node:crypto'

/**
 * Velocity limits on declined payments (card testing: an attacker trying many cards on one
 * account, or one card across many accounts). Past a limit, further tokenizations are refused
 * before the provider is asked, until enough of the counted declines have left the window.
 */
export interface DeclineLimits {
  /** Most declines of one user within the window. */
  perUser: number
  /** Most declines of one card (by fingerprint), whoever used it, within the window. */
  perCard: number
  windowMs: number
}

/**
 * The card's fingerprint: HMAC-SHA256 of the number under a secret of ours, hex. It tells the
 * same card across users and tokenizations without keeping the number, and cannot be reversed
 * by hashing the (small) space of card numbers without the secret.
 */
export function cardFingerprint(secret: string, cardNumber: string): string {
  return createHmac('sha256', secret).update(cardNumber).digest('hex')
}

/**
 * How long until one more attempt is allowed, in milliseconds, or undefined when it is allowed
 * now. `newestFirst` holds the times of the most recent declines within the window (at least
 * `limit` of them when there are that many): the attempt is allowed once fewer than `limit`
 * remain, i.e. when the `limit`-th newest leaves the window.
 */
export function declineBackoffMs(
  newestFirst: readonly Date[],
  limit: number,
  windowMs: number,
  now: Date,
): number | undefined {
  if (newestFirst.length < limit) return undefined
  const leaves = newestFirst[limit - 1]!.getTime() + windowMs
  const wait = leaves - now.getTime()
  return wait > 0 ? wait : undefined
}
