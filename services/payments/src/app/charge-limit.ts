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
}): ChargeLimit {
  const { declines, limits } = deps

  const decide: ChargeLimit = async (payment, known) => {
    // Counted with the claim: no decline in the window, nothing to read (the common case).
    if (known && known.user === 0 && known.card === 0) return 'go'
    const since = new Date(deps.now().getTime() - limits.windowMs)
    // The user's and the card's recent declines in one read; the card by its method's fingerprint.
    const card: DeclineSubject = { cardOfMethod: payment.paymentMethodId }
    const [byUser, byCard] = await declines.recentDeclines(
      [
        { subject: { userId: payment.userId }, limit: limits.perUser },
        { subject: card, limit: limits.perCard },
      ],
      since,
    )
    const checks: Array<{ subject: DeclineSubject; recent: number; limit: number }> = [
      { subject: { userId: payment.userId }, recent: byUser!.length, limit: limits.perUser },
      { subject: card, recent: byCard!.length, limit: limits.perCard },
    ]
    if (checks.some((c) => c.recent >= c.limit)) return 'refuse'
    // Declined lately: wait while the undecided payments ahead could take it past the limit.
    for (const check of checks.filter((c) => c.recent > 0)) {
      const ahead = await declines.undecidedAhead(check.subject, payment, since)
      if (check.recent + ahead >= check.limit) return 'wait'
    }
    return 'go'
  }
  decide.windowMs = limits.windowMs
  return decide
}

/**
 * Decides a charge; `known` are its user's and card's declines in the window when the caller
 * read them already (the processor's claim does, over `windowMs`).
 */
export type ChargeLimit = ((
  payment: PaymentRecord,
  known?: { user: number; card: number },
) => Promise<ChargeDecision>) & { windowMs?: number }
