import { randomUUID } from 'node:crypto'
import type { payments } from '@emporium/contracts'
import { AppError } from '@emporium/platform'
import { checkCard } from '../domain/card.js'
import { ProviderTransientError, type PaymentMethodStore, type PaymentProvider } from './ports.js'

/**
 * `POST /internal/payment-methods`: checks the card (Luhn, expiry), has the provider tokenize it
 * and keeps the token, last4, brand and expiry — never the number or the CVC. A bad card is a
 * 400 with nothing stored; a provider that cannot answer is a 503 (orders then refuses the order
 * with nothing written).
 */
export function createTokenizeCard(deps: {
  provider: PaymentProvider
  methods: PaymentMethodStore
  now: () => Date
}) {
  return async (body: payments.TokenizeCardBody): Promise<payments.PaymentMethod> => {
    const now = deps.now()
    const errors = checkCard(body.card, now)
    if (errors.length > 0) {
      throw new AppError('invalid', 'PAYMENTS.INVALID_CARD', 'The card was refused.', {
        details: { errors },
      })
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
    })
    return { paymentMethodId: id, last4: tokenized.last4, brand: tokenized.brand }
  }
}
