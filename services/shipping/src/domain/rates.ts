import { AppError } from '@emporium/platform/errors'

export type RateBasis = 'flat' | 'weight' | 'subtotal'

export interface Money {
  amount: number
  currency: string
}

export interface Rate {
  /** Grams (`weight`), minor units (`subtotal`), 0 (`flat`). */
  from: number
  price: Money
}

/** What a method's price depends on. */
export interface MethodTerms {
  basis: RateBasis
  rates: readonly Rate[]
  freeAbove?: Money
  estimatedDays?: { min: number; max: number }
}

/** What an order brings to be priced. */
export interface Parcel {
  subtotal: Money
  weightGrams: number
}

function invalid(code: string, message: string, path: string): AppError {
  return new AppError('invalid', code, message, { details: { errors: [{ path, message }] } })
}

/**
 * A method's terms as kept, or a 400: at least one rate, each `from` once, a flat method's one
 * rate from 0, every price (and `freeAbove`) in one currency, `estimatedDays.min` ≤ `max`.
 * Rates come back ordered by `from`.
 */
export function checkTerms<T extends MethodTerms>(terms: T): T & { currency: string } {
  const { rates } = terms
  if (rates.length === 0) {
    throw invalid('SHIPPING.RATES_REQUIRED', 'A method needs at least one rate.', '/body/rates')
  }
  const currency = rates[0]!.price.currency
  rates.forEach((rate, index) => {
    if (rate.price.currency !== currency) {
      throw invalid(
        'SHIPPING.MIXED_CURRENCIES',
        `Every price of a method is in one currency (${currency}).`,
        `/body/rates/${index}/price/currency`,
      )
    }
    if (rates.findIndex((other) => other.from === rate.from) !== index) {
      throw invalid(
        'SHIPPING.DUPLICATE_RATE',
        `Two rates start at ${rate.from}.`,
        `/body/rates/${index}/from`,
      )
    }
  })
  if (terms.freeAbove && terms.freeAbove.currency !== currency) {
    throw invalid(
      'SHIPPING.MIXED_CURRENCIES',
      `Every price of a method is in one currency (${currency}).`,
      '/body/freeAbove/currency',
    )
  }
  if (terms.basis === 'flat' && (rates.length !== 1 || rates[0]!.from !== 0)) {
    throw invalid(
      'SHIPPING.FLAT_RATE',
      'A flat method has exactly one rate, from 0.',
      '/body/rates',
    )
  }
  if (terms.estimatedDays && terms.estimatedDays.min > terms.estimatedDays.max) {
    throw invalid(
      'SHIPPING.INVALID_ESTIMATE',
      'estimatedDays.min is more than estimatedDays.max.',
      '/body/estimatedDays',
    )
  }
  return { ...terms, rates: [...rates].sort((a, b) => a.from - b.from), currency }
}

/**
 * The price of a method for a parcel, or undefined when it is not offered: another currency
 * than the subtotal's, or no rate whose `from` is at most the parcel's weight or subtotal. The
 * rate with the highest such `from` applies; free when the subtotal reaches `freeAbove`.
 */
export function priceOf(terms: MethodTerms, parcel: Parcel): Money | undefined {
  const currency = terms.rates[0]?.price.currency
  if (currency !== parcel.subtotal.currency) return undefined
  const measure =
    terms.basis === 'weight'
      ? parcel.weightGrams
      : terms.basis === 'subtotal'
        ? parcel.subtotal.amount
        : 0
  let applies: Rate | undefined
  for (const rate of terms.rates) {
    if (rate.from <= measure && (!applies || rate.from > applies.from)) applies = rate
  }
  if (!applies) return undefined
  if (terms.freeAbove && parcel.subtotal.amount >= terms.freeAbove.amount) {
    return { amount: 0, currency }
  }
  return { amount: applies.price.amount, currency }
}
