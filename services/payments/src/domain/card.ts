import type { FieldError } from '@emporium/platform/errors'

/** The card fields a check needs (the contract's CardInput has the same shape). */
export interface CardFields {
  cardNumber: string
  expMonth: number
  expYear: number
  cvc: string
}

/** Whether a string of digits passes the Luhn check (ISO/IEC 7812 check digit). */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return sum % 10 === 0
}

/** The card network from the number's prefix (IIN ranges); `unknown` when none matches. */
export function cardBrand(number: string): string {
  const prefix2 = Number(number.slice(0, 2))
  const prefix4 = Number(number.slice(0, 4))
  if (number.startsWith('4')) return 'visa'
  if ((prefix2 >= 51 && prefix2 <= 55) || (prefix4 >= 2221 && prefix4 <= 2720)) return 'mastercard'
  if (prefix2 === 34 || prefix2 === 37) return 'amex'
  if (number.startsWith('6011') || number.startsWith('65') || (prefix4 >= 6440 && prefix4 <= 6499))
    return 'discover'
  return 'unknown'
}

/**
 * What is wrong with a card before it goes to the provider: a number failing the Luhn check,
 * or an expiry in the past (a card is valid through the last day of its expiry month, UTC).
 * Paths name the field of the shopper's order body (`/payment/...`), which is what the orders
 * service passes on. An empty list means the card may be tokenized.
 */
export function checkCard(card: CardFields, now: Date): FieldError[] {
  const errors: FieldError[] = []
  if (!/^[0-9]{12,19}$/.test(card.cardNumber)) {
    errors.push({ path: '/payment/cardNumber', message: 'must be 12 to 19 digits' })
  } else if (!luhnValid(card.cardNumber)) {
    errors.push({ path: '/payment/cardNumber', message: 'is not a valid card number' })
  }
  if (!/^[0-9]{3,4}$/.test(card.cvc)) {
    errors.push({ path: '/payment/cvc', message: 'must be 3 or 4 digits' })
  }
  const year = now.getUTCFullYear()
  const month = now.getUTCMonth() + 1
  if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12) {
    errors.push({ path: '/payment/expMonth', message: 'must be a month from 1 to 12' })
  } else if (card.expYear < year) {
    errors.push({ path: '/payment/expYear', message: 'the card has expired' })
  } else if (card.expYear === year && card.expMonth < month) {
    errors.push({ path: '/payment/expMonth', message: 'the card has expired' })
  }
  return errors
}

/** The last four digits, the only part of the number kept anywhere. */
export function last4Of(number: string): string {
  return number.slice(-4)
}
