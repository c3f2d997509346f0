import Type from 'typebox'
import { Money, validatorOf } from '@emporium/contracts'
import { AppError, isAppError, type ServiceClient } from '@emporium/platform'
import type { ShippingPort, ShippingQuote } from '../app/ports.js'

/** The shipping service's answer to `POST /shipping/quotes`, as far as orders reads it. */
const Quotes = Type.Object({
  quotes: Type.Array(
    Type.Object({
      methodId: Type.String({ minLength: 1 }),
      name: Type.String(),
      carrier: Type.String(),
      price: Money,
      estimatedDays: Type.Optional(
        Type.Object({ min: Type.Integer({ minimum: 0 }), max: Type.Integer({ minimum: 0 }) }),
      ),
    }),
  ),
})

const retryAfterSeconds = 5

function shippingUnavailable(cause?: unknown): AppError {
  return new AppError(
    'unavailable',
    'ORDERS.SHIPPING_UNAVAILABLE',
    'The shipping service cannot answer now; try again shortly (with the same Idempotency-Key).',
    {
      cause,
      details: {
        retryAfterSeconds:
          (isAppError(cause) && (cause.details.retryAfterSeconds as number | undefined)) ||
          retryAfterSeconds,
      },
    },
  )
}

/**
 * The shipping service's `POST /shipping/quotes`, asked with orders' service credential. Without
 * a shipping service configured (`ORDERS_SHIPPING_URLS` empty), no method is offered anywhere
 * and shipping is free.
 */
export function createHttpShipping(client: ServiceClient | undefined): ShippingPort {
  return {
    async quotes({ destination, subtotal, weightGrams }) {
      if (!client) return []
      let response
      try {
        response = await client.request<unknown>({
          method: 'POST',
          path: '/shipping/quotes',
          body: { destination, subtotal, weightGrams },
        })
      } catch (error) {
        if (isAppError(error) && (error.kind === 'unavailable' || error.kind === 'timeout')) {
          throw shippingUnavailable(error)
        }
        throw error
      }
      // A destination the shipping service cannot read (a country it refuses): nothing offered.
      if (response.status === 400 || response.status === 422) return []
      if (response.status !== 200 || !validatorOf(Quotes).Check(response.body)) {
        throw shippingUnavailable()
      }
      return (response.body as { quotes: ShippingQuote[] }).quotes
    },
  }
}
