import { AppError, type FieldError } from '@emporium/platform/errors'
import type { Money } from './order.js'

/*
 * Promotion codes (issue 18): the rules, with no I/O. A code's uses are counted by the caller
 * (`reserved` + `spent`, under the promotion's row lock) and handed to `refusal`.
 *
 * Refusals of a code that cannot apply to this cart are 422s, a code used up is a 409, and an
 * unknown code answers exactly as a deactivated one (422 `ORDERS.PROMOTION_NOT_FOUND`), never a
 * 404: the route taking the code (checkout) exists whatever the code, and a 404 would read as
 * "no such order/route" to clients.
 */

/** What a promotion gives: a percentage of the subtotal, or a fixed amount off it. */
export type PromotionOffer =
  { kind: 'percentage'; percent: number } | { kind: 'fixed'; amount: Money }

/** A promotion as an admin defines it. `null` limits and dates mean none. */
export interface PromotionDefinition {
  /** Upper-case, 3 to 32 of A-Z, 0-9, `-` and `_` (`normalizeCode`). */
  code: string
  offer: PromotionOffer
  /** The subtotal must be at least this (in its currency) for the code to apply. */
  minSubtotal: Money | null
  /** Valid from (inclusive). */
  startsAt: Date | null
  /** Valid until (exclusive). */
  endsAt: Date | null
  /** Uses in all (`reserved` + `spent`). */
  usageLimit: number | null
  /** Uses per customer (`reserved` + `spent`). */
  perCustomerLimit: number | null
  active: boolean
}

export interface Promotion extends PromotionDefinition {
  id: string
  createdAt: Date
  updatedAt: Date
}

/** What an admin may change after creation: everything but the code and the offer. */
export interface PromotionPatch {
  active?: boolean
  minSubtotal?: Money | null
  startsAt?: Date | null
  endsAt?: Date | null
  usageLimit?: number | null
  perCustomerLimit?: number | null
}

/** The stable codes of a refused promotion code. */
export const PromotionRefusalCode = {
  notFound: 'ORDERS.PROMOTION_NOT_FOUND',
  notStarted: 'ORDERS.PROMOTION_NOT_STARTED',
  expired: 'ORDERS.PROMOTION_EXPIRED',
  minimumNotMet: 'ORDERS.PROMOTION_MINIMUM_NOT_MET',
  exhausted: 'ORDERS.PROMOTION_EXHAUSTED',
  customerLimit: 'ORDERS.PROMOTION_CUSTOMER_LIMIT',
  currency: 'ORDERS.PROMOTION_CURRENCY',
} as const
export type PromotionRefusalCode = (typeof PromotionRefusalCode)[keyof typeof PromotionRefusalCode]

export interface PromotionRefusal {
  code: PromotionRefusalCode
  message: string
  /** 422 for a code that cannot apply to this cart, 409 for one used up. */
  kind: 'unprocessable' | 'conflict'
}

export interface UseContext {
  subtotal: Money
  now: Date
  /** The promotion's uses held (`reserved` + `spent`), everyone's. */
  usesSoFar: number
  /** Of those, this customer's. */
  customerUses: number
}

const codePattern = /^[A-Z0-9][A-Z0-9_-]{2,31}$/

/** A code as typed (any case, surrounding spaces) in its stored form; undefined if it is none. */
export function normalizeCode(text: string): string | undefined {
  const code = text.trim().toUpperCase()
  return codePattern.test(code) ? code : undefined
}

/** The refusal of a code that names no active promotion (unknown and inactive alike). */
export const promotionNotFound: PromotionRefusal = {
  code: PromotionRefusalCode.notFound,
  message: 'This promotion code is not valid.',
  kind: 'unprocessable',
}

/** Why `promotion` does not apply now to this subtotal and customer; undefined when it does. */
export function refusal(
  promotion: Promotion | PromotionDefinition,
  context: UseContext,
): PromotionRefusal | undefined {
  const { subtotal, now } = context
  if (!promotion.active) return promotionNotFound
  if (promotion.startsAt && now.getTime() < promotion.startsAt.getTime()) {
    return refused('notStarted', 'unprocessable', 'This promotion code is not valid yet.')
  }
  if (promotion.endsAt && now.getTime() >= promotion.endsAt.getTime()) {
    return refused('expired', 'unprocessable', 'This promotion code has expired.')
  }
  const offer = promotion.offer
  const min = promotion.minSubtotal
  if (
    (offer.kind === 'fixed' && offer.amount.currency !== subtotal.currency) ||
    (min && min.currency !== subtotal.currency)
  ) {
    return refused(
      'currency',
      'unprocessable',
      `This promotion code does not apply to a cart in ${subtotal.currency}.`,
    )
  }
  if (min && subtotal.amount < min.amount) {
    return refused(
      'minimumNotMet',
      'unprocessable',
      `This promotion code needs a subtotal of at least ${min.amount} ${min.currency} (minor units).`,
    )
  }
  if (promotion.usageLimit !== null && context.usesSoFar >= promotion.usageLimit) {
    return refused('exhausted', 'conflict', 'This promotion code has been used up.')
  }
  if (promotion.perCustomerLimit !== null && context.customerUses >= promotion.perCustomerLimit) {
    return refused(
      'customerLimit',
      'conflict',
      'You have used this promotion code as many times as it allows.',
    )
  }
  return undefined
}

/**
 * The discount `promotion` gives on `subtotal`, never more than the subtotal. A percentage is
 * rounded half-up to the minor unit (computed in integers); a fixed amount is capped at the
 * subtotal. A fixed amount in another currency is the `ORDERS.PROMOTION_CURRENCY` refusal.
 */
export function discountFor(promotion: Pick<PromotionDefinition, 'offer'>, subtotal: Money): Money {
  const offer = promotion.offer
  const total = BigInt(subtotal.amount)
  let discount: bigint
  if (offer.kind === 'percentage') {
    discount = (total * BigInt(offer.percent) + 50n) / 100n
  } else {
    if (offer.amount.currency !== subtotal.currency) {
      throw refusalError(
        refused('currency', 'unprocessable', 'This promotion code does not apply to this cart.'),
      )
    }
    discount = BigInt(offer.amount.amount)
  }
  if (discount > total) discount = total
  return { amount: Number(discount), currency: subtotal.currency }
}

/** The refusal as the error a use case throws (problem+json with its code). */
export function refusalError(refusal: PromotionRefusal): AppError {
  return new AppError(refusal.kind, refusal.code, refusal.message)
}

/** Throws 400 `ORDERS.INVALID_PROMOTION` (with the fields at fault) unless it is a valid one. */
export function validatePromotion(definition: PromotionDefinition): PromotionDefinition {
  const errors: FieldError[] = []
  const fail = (path: string, message: string) => errors.push({ path, message })
  if (!codePattern.test(definition.code)) {
    fail('/code', 'must be 3 to 32 letters, digits, - or _, starting with a letter or digit')
  }
  const offer = definition.offer
  if (offer.kind === 'percentage') {
    if (!Number.isInteger(offer.percent) || offer.percent < 1 || offer.percent > 100) {
      fail('/percent', 'must be an integer from 1 to 100')
    }
  } else {
    if (!Number.isSafeInteger(offer.amount.amount) || offer.amount.amount < 1) {
      fail('/amount/amount', 'must be at least 1 minor unit')
    }
  }
  const min = definition.minSubtotal
  if (min) {
    if (!Number.isSafeInteger(min.amount) || min.amount < 0) {
      fail('/minSubtotal/amount', 'must be 0 or more minor units')
    }
    if (offer.kind === 'fixed' && min.currency !== offer.amount.currency) {
      fail('/minSubtotal/currency', "must be the fixed amount's currency")
    }
  }
  for (const [path, at] of [
    ['/startsAt', definition.startsAt],
    ['/endsAt', definition.endsAt],
  ] as const) {
    if (at && Number.isNaN(at.getTime())) fail(path, 'must be a date-time')
  }
  if (definition.startsAt && definition.endsAt && definition.startsAt >= definition.endsAt) {
    fail('/endsAt', 'must be after startsAt')
  }
  for (const [path, limit] of [
    ['/usageLimit', definition.usageLimit],
    ['/perCustomerLimit', definition.perCustomerLimit],
  ] as const) {
    if (limit !== null && (!Number.isSafeInteger(limit) || limit < 1 || limit > 2 ** 31 - 1)) {
      fail(path, 'must be a positive integer')
    }
  }
  if (errors.length > 0) {
    throw new AppError('invalid', 'ORDERS.INVALID_PROMOTION', 'The promotion is not valid.', {
      details: { errors },
    })
  }
  return definition
}

/** The promotion with an admin's changes, validated as a whole. */
export function patchPromotion(
  current: PromotionDefinition,
  patch: PromotionPatch,
): PromotionDefinition {
  const next: PromotionDefinition = { ...current }
  if (patch.active !== undefined) next.active = patch.active
  if (patch.minSubtotal !== undefined) next.minSubtotal = patch.minSubtotal
  if (patch.startsAt !== undefined) next.startsAt = patch.startsAt
  if (patch.endsAt !== undefined) next.endsAt = patch.endsAt
  if (patch.usageLimit !== undefined) next.usageLimit = patch.usageLimit
  if (patch.perCustomerLimit !== undefined) next.perCustomerLimit = patch.perCustomerLimit
  return validatePromotion(next)
}

function refused(
  which: keyof typeof PromotionRefusalCode,
  kind: PromotionRefusal['kind'],
  message: string,
): PromotionRefusal {
  return { code: PromotionRefusalCode[which], message, kind }
}
