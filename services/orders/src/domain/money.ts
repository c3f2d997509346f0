import { AppError } from '@emporium/platform/errors'
import type { Money, OrderLine } from './order.js'

/** unitPrice × quantity, in minor units. */
export function lineTotal(line: OrderLine): Money {
  return { amount: safe(line.unitPrice.amount * line.quantity), currency: line.unitPrice.currency }
}

/**
 * The sum of the line totals. An order has one currency: lines in several are a 409
 * `ORDERS.MIXED_CURRENCIES` (the catalog prices each product in its own).
 */
export function orderTotal(lines: readonly OrderLine[]): Money {
  const currency = lines[0]?.unitPrice.currency
  if (currency === undefined) throw new Error('an order has at least one line')
  let amount = 0
  for (const line of lines) {
    if (line.unitPrice.currency !== currency) {
      throw new AppError(
        'conflict',
        'ORDERS.MIXED_CURRENCIES',
        'The cart holds products priced in different currencies; order them separately.',
      )
    }
    amount = safe(amount + lineTotal(line).amount)
  }
  return { amount, currency }
}

function safe(amount: number): number {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new AppError('invalid', 'ORDERS.AMOUNT_TOO_LARGE', 'The order total is too large.')
  }
  return amount
}
