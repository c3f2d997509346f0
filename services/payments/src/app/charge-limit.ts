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
    const subjects = [
      { subject: { userId: payment.userId }, limit: limits.perUser },
      { subject: card, limit: limits.perCard },
    ]
    const recent = async () =>
      (await declines.recentDeclines(subjects, since)).map((found) => found.length)
    const first = await recent()
    if (subjects.some((s, i) => first[i]! >= s.limit)) return 'refuse'
    // Declined lately: wait while the undecided payments ahead could take it past the limit.
    const held = subjects.flatMap((s, i) => (first[i]! > 0 ? [{ ...s, i }] : []))
    if (held.length === 0) return 'go'
    const ahead = await Promise.all(
      held.map((s) => declines.undecidedAhead(s.subject, payment, since)),
    )
    // The declines read again, after the payments ahead: one decided between the two reads is
    // then counted twice (this charge waits once more), never missed (it asked once too many
    // when the declines were read only before, as CI's loaded machine showed).
    const now = await recent()
    if (subjects.some((s, i) => now[i]! >= s.limit)) return 'refuse'
    return held.some((s, k) => now[s.i]! + ahead[k]! >= s.limit) ? 'wait' : 'go'
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
