import { cart, catalog, payments, validatorOf, type Problem } from '@emporium/contracts'
import { AppError, isAppError, type ServiceClient } from '@emporium/platform'
import type { CartPort, PaymentsPort } from '../app/ports.js'
import type { CatalogProductPrices } from './catalog-prices.js'

/** `retry-after` of a 503 when the client's breaker gives none. */
const defaultRetryAfterSeconds = 5

/**
 * An upstream that could not answer (down, 5xx, timeout, open circuit) as our 503 with
 * `retry-after`; anything else passes unchanged.
 */
function unavailable(upstream: string, error: unknown): never {
  if (isAppError(error) && (error.kind === 'unavailable' || error.kind === 'timeout')) {
    throw new AppError(
      'unavailable',
      `ORDERS.${upstream.toUpperCase()}_UNAVAILABLE`,
      `The ${upstream} service cannot answer now; try again shortly (with the same Idempotency-Key).`,
      {
        cause: error,
        details: {
          retryAfterSeconds: error.details.retryAfterSeconds ?? defaultRetryAfterSeconds,
        },
      },
    )
  }
  throw error
}

/** `retry-after` in seconds as an upstream sent it (a number), else a minute. */
function retryAfterOf(headers: Record<string, string | string[] | undefined>): number {
  const value = Number(headers['retry-after'])
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : 60
}

function unexpected(upstream: string, status: number): AppError {
  return new AppError('unavailable', 'UPSTREAM.UNAVAILABLE', `${upstream} answered ${status}`, {
    details: { retryAfterSeconds: defaultRetryAfterSeconds },
  })
}

/** The cart's `GET /cart`, asked with the caller's own token (the cart is the token's). */
export function createHttpCart(client: ServiceClient): CartPort {
  return {
    async snapshot(authorization) {
      let response
      try {
        response = await client.request<unknown>({
          method: 'GET',
          path: '/cart',
          headers: { authorization },
        })
      } catch (error) {
        unavailable('cart', error)
      }
      if (response.status === 401) {
        throw new AppError('unauthorized', 'AUTH.INVALID_TOKEN', 'The cart refused the token.')
      }
      if (response.status !== 200 || !validatorOf(cart.Cart).Check(response.body)) {
        unavailable('cart', unexpected('cart', response.status))
      }
      const body = response.body as cart.Cart
      return {
        updatedAt: body.updatedAt,
        ...(body.version !== undefined && { version: body.version }),
        lines: body.items.map((item) => ({
          productId: item.productId,
          // A cart from before variants names none: the product's first, of the product's id.
          variantId: item.variantId ?? item.productId,
          quantity: item.quantity,
          unavailable: item.unavailable === true,
        })),
      }
    },
  }
}

/**
 * The catalog's `GET /products/{id}`: the authoritative name and each variant's price and label;
 * undefined on a 404.
 */
export function createHttpCatalog(client: ServiceClient) {
  return {
    async product(productId: string): Promise<CatalogProductPrices | undefined> {
      let response
      try {
        response = await client.request<unknown>({
          method: 'GET',
          path: `/products/${encodeURIComponent(productId)}`,
        })
      } catch (error) {
        unavailable('catalog', error)
      }
      if (response.status === 404) return undefined
      if (response.status !== 200 || !validatorOf(catalog.Product).Check(response.body)) {
        unavailable('catalog', unexpected('catalog', response.status))
      }
      const product = response.body as catalog.Product
      // A catalog from before variants answers none: the product is its one variant.
      const variants = product.variants ?? [{ id: product.id, price: product.price }]
      // Issue 18's fields, optional in the answer (a catalog from before names none).
      const taxClass = (product as { taxClass?: unknown }).taxClass
      return {
        name: product.name,
        ...(typeof taxClass === 'string' && { taxClass }),
        variants: variants.map((v) => {
          const weight = (v as { weightGrams?: unknown }).weightGrams
          return {
            variantId: v.id,
            ...('label' in v && v.label !== undefined ? { label: v.label } : {}),
            price: { ...v.price },
            ...(typeof weight === 'number' && { weightGrams: weight }),
          }
        }),
      }
    },
  }
}

/**
 * Payments' `POST /internal/payment-methods`: the card in, a token out. A card payments
 * refuses (400/422) is our 400 `ORDERS.INVALID_CARD` with its field errors, under our body's
 * names (`/body/payment/...`).
 */
export function createHttpPayments(client: ServiceClient): PaymentsPort {
  return {
    async tokenize(userId, card) {
      let response
      try {
        response = await client.request<unknown>({
          method: 'POST',
          path: '/internal/payment-methods',
          body: { userId, card },
        })
      } catch (error) {
        unavailable('payments', error)
      }
      if (response.status === 400 || response.status === 422) {
        const problem = (response.body ?? {}) as Partial<Problem>
        const errors = Array.isArray(problem.errors)
          ? problem.errors.map((e) => ({
              path: String(e.path).replace(/^\/body\/card/, '/body/payment'),
              message: String(e.message),
            }))
          : []
        throw new AppError(
          'invalid',
          'ORDERS.INVALID_CARD',
          typeof problem.detail === 'string' ? problem.detail : 'The card was refused.',
          { details: { errors, ...(problem.code ? { upstreamCode: problem.code } : {}) } },
        )
      }
      if (response.status === 429) {
        // Card testing: too many declines of this shopper or this card lately. Passed on as
        // our 429 with payments' retry-after; nothing was tokenized, nothing is written.
        throw new AppError(
          'too_many',
          'ORDERS.TOO_MANY_DECLINES',
          'Too many declined payments recently; try again later.',
          { details: { retryAfterSeconds: retryAfterOf(response.headers) } },
        )
      }
      if (
        (response.status !== 200 && response.status !== 201) ||
        !validatorOf(payments.PaymentMethod).Check(response.body)
      ) {
        unavailable('payments', unexpected('payments', response.status))
      }
      const method = response.body as payments.PaymentMethod
      return { paymentMethodId: method.paymentMethodId, last4: method.last4, brand: method.brand }
    },
  }
}
