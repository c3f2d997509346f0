import { createHash } from 'node:crypto'
import { AppError } from '@emporium/platform/errors'

// Printable ASCII, as Stripe and the IETF draft use: a UUID or any client-made token fits.
const keyPattern = /^[\x20-\x7e]{1,255}$/

/** The `Idempotency-Key` header, checked: 1 to 255 printable characters, else a 400. */
export function idempotencyKeyOf(header: string | string[] | undefined): string {
  if (typeof header !== 'string' || !keyPattern.test(header)) {
    throw new AppError(
      'invalid',
      'ORDERS.IDEMPOTENCY_KEY_REQUIRED',
      'An Idempotency-Key header of 1 to 255 printable characters is required.',
      { details: { errors: [{ path: '/headers/idempotency-key', message: 'is required' }] } },
    )
  }
  return header
}

/** JSON with object keys sorted at every level, so equal bodies give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** sha256 (hex) of the canonical JSON of a request body: what a reused key is compared by. */
export function fingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex')
}

/**
 * The fingerprint of a `POST /orders` body. The card number and CVC stay out of it: even hashed,
 * a card number must not be stored (an unkeyed hash of 16 digits is easily reversed). The last
 * four digits and the expiry stand in for the card, so a retry with another card that shares
 * them counts as the same request: a narrow, documented trade-off.
 */
export function orderFingerprint(body: {
  shippingAddress: unknown
  payment: { cardNumber: string; expMonth: number; expYear: number }
  shippingMethodId?: string
  promotionCode?: string
  email?: string
}): string {
  const { cardNumber, expMonth, expYear } = body.payment
  return fingerprint({
    shippingAddress: body.shippingAddress,
    payment: { last4: cardNumber.slice(-4), expMonth, expYear },
    // Issue 18's choices, only when made: a body without them fingerprints as before.
    ...(body.shippingMethodId !== undefined && { shippingMethodId: body.shippingMethodId }),
    ...(body.promotionCode !== undefined && { promotionCode: body.promotionCode.toUpperCase() }),
    ...(body.email !== undefined && { email: body.email.toLowerCase() }),
  })
}
