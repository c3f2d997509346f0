import { AppError } from '@emporium/platform/errors'
import type { Money } from './order.js'

/** Tax rates are in basis points: 2000 = 20 %, 10000 = 100 % (the highest accepted). */
export const MAX_RATE_BASIS_POINTS = 10_000

export interface TotalsInput {
  currency: string
  lines: Array<{ unitPrice: Money; quantity: number; taxRateBasisPoints: number }>
  /** The order's discount (already capped ≤ subtotal by the promotion), allocated over lines. */
  discount: number
  shipping: { amount: number; taxRateBasisPoints: number }
  /** Prices (and the shipping price) include tax (true) or tax is added on top (false). */
  taxInclusive: boolean
}

export interface LineTotals {
  subtotal: Money
  discount: Money
  tax: Money
  total: Money
}

export interface Totals {
  lines: LineTotals[]
  subtotal: Money
  discount: Money
  shipping: Money
  shippingTax: Money
  /** The lines' tax + shippingTax. */
  tax: Money
  total: Money
  taxInclusive: boolean
}

/**
 * The one totals model (cart, checkout, order, payment amount, ledger): every amount is in the
 * currency's minor units (0 digits for JPY, 2 for EUR, 3 for KWD: the model is the same), computed
 * with integers only (BigInt), never floats.
 *
 * 1. A line's subtotal is unit price × quantity; the order's subtotal is their sum.
 * 2. The discount (capped at the subtotal) is allocated over the lines in proportion to their
 *    subtotals by the largest-remainder method: each line gets ⌊discount × line / subtotal⌋, and
 *    the minor units left over go one each to the lines with the largest remainders (ties to the
 *    earlier line), so the lines' discounts sum exactly to the discount.
 * 3. A line's tax is computed on its net (subtotal − discount) at its rate r, rounded half-up to
 *    the minor unit per line: tax-exclusive, tax = round(net × r); tax-inclusive, the price holds
 *    the tax, tax = net − round(net / (1 + r)).
 * 4. Shipping is taxed the same way at its own rate (shippingTax); tax = lines' tax + shippingTax.
 * 5. Exclusive: a line's total = net + tax, total = subtotal − discount + shipping + tax.
 *    Inclusive: a line's total = net, total = subtotal − discount + shipping (tax is the part
 *    included). Either way the lines' totals + shipping (+ shippingTax when exclusive) = total.
 *
 * Every amount must be a safe non-negative integer (else 400 `ORDERS.AMOUNT_TOO_LARGE`), every
 * rate an integer in 0..10000 basis points (else 400 `ORDERS.INVALID_TAX_RATE`), and every line
 * priced in `currency` (else 409 `ORDERS.MIXED_CURRENCIES`).
 */
export function computeTotals(input: TotalsInput): Totals {
  const { currency, taxInclusive } = input
  const subtotals = input.lines.map((line) => {
    if (line.unitPrice.currency !== currency) {
      throw new AppError(
        'conflict',
        'ORDERS.MIXED_CURRENCIES',
        'The cart holds products priced in different currencies; order them separately.',
      )
    }
    return amount(line.unitPrice.amount) * amount(line.quantity)
  })
  const subtotal = subtotals.reduce((sum, s) => sum + s, 0n)
  const requested = amount(input.discount)
  const discount = requested > subtotal ? subtotal : requested
  const discounts = allocate(discount, subtotals)
  const shipping = amount(input.shipping.amount)
  const shippingTax = taxOn(shipping, rate(input.shipping.taxRateBasisPoints), taxInclusive)

  const money = (value: bigint): Money => ({ amount: safe(value), currency })
  let linesTax = 0n
  const lines = input.lines.map((line, i) => {
    const lineSubtotal = subtotals[i] ?? 0n
    const lineDiscount = discounts[i] ?? 0n
    const net = lineSubtotal - lineDiscount
    const tax = taxOn(net, rate(line.taxRateBasisPoints), taxInclusive)
    linesTax += tax
    return {
      subtotal: money(lineSubtotal),
      discount: money(lineDiscount),
      tax: money(tax),
      total: money(taxInclusive ? net : net + tax),
    }
  })
  const tax = linesTax + shippingTax
  const total = subtotal - discount + shipping + (taxInclusive ? 0n : tax)
  return {
    lines,
    subtotal: money(subtotal),
    discount: money(discount),
    shipping: money(shipping),
    shippingTax: money(shippingTax),
    tax: money(tax),
    total: money(total),
    taxInclusive,
  }
}

/** Largest remainder: shares proportional to `weights` summing exactly to `total` (≤ Σ weights). */
function allocate(total: bigint, weights: bigint[]): bigint[] {
  const sum = weights.reduce((s, w) => s + w, 0n)
  if (sum === 0n || total === 0n) return weights.map(() => 0n)
  const shares = weights.map((w) => (total * w) / sum)
  let left = total - shares.reduce((s, share) => s + share, 0n)
  // Stable sort: equal remainders keep their order, so ties go to the earlier line.
  const byRemainder = weights
    .map((w, index) => ({ index, remainder: (total * w) % sum }))
    .sort((a, b) => (a.remainder === b.remainder ? 0 : a.remainder > b.remainder ? -1 : 1))
  for (const { index } of byRemainder) {
    if (left === 0n) break
    shares[index] = (shares[index] ?? 0n) + 1n
    left -= 1n
  }
  return shares
}

/** Tax on `net` at `bp` basis points, rounded half-up to the minor unit. */
function taxOn(net: bigint, bp: bigint, inclusive: boolean): bigint {
  const scale = BigInt(MAX_RATE_BASIS_POINTS)
  if (!inclusive) return divideHalfUp(net * bp, scale)
  return net - divideHalfUp(net * scale, scale + bp)
}

/** round(n / d) half-up, for n ≥ 0 and d > 0. */
function divideHalfUp(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d)
}

function amount(value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0) throw tooLarge()
  return BigInt(value)
}

function rate(value: number): bigint {
  if (!Number.isInteger(value) || value < 0 || value > MAX_RATE_BASIS_POINTS) {
    throw new AppError(
      'invalid',
      'ORDERS.INVALID_TAX_RATE',
      `A tax rate is an integer from 0 to ${MAX_RATE_BASIS_POINTS} basis points.`,
    )
  }
  return BigInt(value)
}

function safe(value: bigint): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) throw tooLarge()
  return Number(value)
}

function tooLarge(): AppError {
  return new AppError('invalid', 'ORDERS.AMOUNT_TOO_LARGE', 'The order total is too large.')
}
