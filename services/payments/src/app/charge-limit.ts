import type { DeclineLimits } from '../domain/decline-velocity.js'
import type { DeclineHistory, DeclineSubject, PaymentRecord } from './ports.js'

/** What to do with a charge: ask the provider, refuse it unasked, or wait for those ahead. */
export type ChargeDecision = 'go' | 'refuse' | 'wait'

/**
 * The decline limits once more when a charge comes, just before the provider is asked.
 * Tokenization refuses a user or a card already past a limit, but cards tokenized together (one
 * card on many accounts at once, or one account placing in quick turns) all pass that check
 * before the first of them is declined. Here a subject past a limit is refused unasked, and a
 * subject declined lately waits while its undecided payments ahead of this one (by creation
 * time, then id) could take it past the limit: attempts sent together get no more answers from
 * the provider than the limit allows. A subject with no decline in the window is not held back,
 * so a good card charged many times at once (a shop's own test card in a load run) keeps its
 * pace; the first wave of a card never declined is bounded by the processor's concurrency only.
 */
export function createChargeLimit(deps: {
  declines: DeclineHistory
  limits: DeclineLimits
  now: () => Date
}): (payment: PaymentRecord) => Promise<ChargeDecision> {
  const { declines, limits } = deps

  async function decide(
    subject: DeclineSubject,
    limit: number,
    payment: PaymentRecord,
  ): Promise<ChargeDecision> {
    const since = new Date(deps.now().getTime() - limits.windowMs)
    const recent = (await declines.recentDeclines(subject, since, limit)).length
    if (recent >= limit) return 'refuse'
    if (recent === 0) return 'go'
    const ahead = await declines.undecidedAhead(subject, payment, since)
    return recent + ahead >= limit ? 'wait' : 'go'
  }

  return async (payment) => {
    const fingerprint = await declines.fingerprintOf(payment.paymentMethodId)
    const decisions = await Promise.all([
      decide({ userId: payment.userId }, limits.perUser, payment),
      ...(fingerprint ? [decide({ cardFingerprint: fingerprint }, limits.perCard, payment)] : []),
    ])
    if (decisions.includes('refuse')) return 'refuse'
    return decisions.includes('wait') ? 'wait' : 'go'
  }
}
