import { randomUUID } from 'node:crypto'
import type { payments } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { checkCard } from '../domain/card.js'
import {
  cardFingerprint,
  declineBackoffMs,
  type DeclineLimits,
} from '../domain/decline-velocity.js'
import {
  ProviderTransientError,
  type DeclineHistory,
  type PaymentMethodStore,
  type PaymentProvider,
} from './ports.js'

/**
 * `POST /internal/payment-methods`: checks the card (Luhn, expiry), refuses it while its user or
 * the card itself is past a limit of recent declines (card testing: 429 with `retry-after`, the
 * provider never asked), has the provider tokenize it and keeps the token, last4, brand, expiry
 * and a keyed fingerprint — never the number or the CVC. A bad card is a 400 with nothing
 * stored; a provider that cannot answer is a 503 (orders then refuses the order with nothing
 * written).
 */
export function createTokenizeCard(deps: {
  provider: PaymentProvider
  methods: PaymentMethodStore
  declines: DeclineHistory
  limits: DeclineLimits
  /** The secret of the card fingerprints (PAYMENTS_CARD_FINGERPRINT_KEY). */
  fingerprintKey: string
  now: () => Date
}) {
  const { limits } = deps

  return async (body: payments.TokenizeCardBody): Promise<payments.PaymentMethod> => {
    const now = deps.now()
    const errors = checkCard(body.card, now)
    if (errors.length > 0) {
      throw new AppError('invalid', 'PAYMENTS.INVALID_CARD', 'The card was refused.', {
        details: { errors },
      })
    }
    const fingerprint = cardFingerprint(deps.fingerprintKey, body.card.cardNumber)
    const since = new Date(now.getTime() - limits.windowMs)
    const [byUser, byCard] = await deps.declines.recentDeclines(
      [
        { subject: { userId: body.userId }, limit: limits.perUser },
        { subject: { cardFingerprint: fingerprint }, limit: limits.perCard },
      ],
      since,
    )
    const waitMs = Math.max(
      declineBackoffMs(byUser!, limits.perUser, limits.windowMs, now) ?? 0,
      declineBackoffMs(byCard!, limits.perCard, limits.windowMs, now) ?? 0,
    )
    if (waitMs > 0) {
      // Says neither which limit nor why the earlier payments were declined.
      throw new AppError(
        'too_many',
        'PAYMENTS.TOO_MANY_DECLINES',
        'Too many declined payments recently; try again later.',
        { details: { retryAfterSeconds: Math.ceil(waitMs / 1000) } },
      )
    }
    let tokenized
    try {
      tokenized = await deps.provider.tokenize(body.card)
    } catch (error) {
      if (!(error instanceof ProviderTransientError)) throw error
      throw new AppError(
        'unavailable',
        'PAYMENTS.PROVIDER_UNAVAILABLE',
        'The payment provider cannot be reached; try again shortly.',
        { cause: error, details: { retryAfterSeconds: 5 } },
      )
    }
    const id = randomUUID()
    await deps.methods.save({
      id,
      userId: body.userId,
      providerToken: tokenized.token,
      last4: tokenized.last4,
      brand: tokenized.brand,
      expMonth: body.card.expMonth,
      expYear: body.card.expYear,
      createdAt: now,
      cardFingerprint: fingerprint,
    })
    return { paymentMethodId: id, last4: tokenized.last4, brand: tokenized.brand }
  }
}
