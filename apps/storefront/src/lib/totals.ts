import type { Money } from '@emporium/sdk'
import type { ChosenShipping, Destination, ShippingOption, Totals } from '../api/checkout'
import { formatMoney } from './format'

/** One row of a totals breakdown, as the checkout, the cart and the order page show it. */
export interface BreakdownRow {
  key: 'subtotal' | 'discount' | 'shipping' | 'tax' | 'total'
  label: string
  value: string
}

/** `-$5.00` for a discount (a true minus sign, which screen readers say as "minus"). */
export const formatDiscount = (money: Money) => `−${formatMoney(money)}`

/** A method's name with its carrier, unless the name already says it: `Express (DHL)`. */
export function shippingName(method: { name: string; carrier: string }): string {
  const carrier = method.carrier.trim()
  return !carrier || method.name.toLowerCase().includes(carrier.toLowerCase())
    ? method.name
    : `${method.name} (${carrier})`
}

/** A method in a sentence: `Express by DHL` (the name alone when it says the carrier). */
function shippedBy(method: { name: string; carrier: string }): string {
  const named = shippingName(method)
  return named === method.name ? named : `${method.name} by ${method.carrier.trim()}`
}

/** How long a method takes: `2–4 business days`, `1 business day`, or '' when it says not. */
export function deliveryWords(days: ShippingOption['estimatedDays']): string {
  if (!days) return ''
  const unit = (n: number) => (n === 1 ? 'business day' : 'business days')
  return days.min === days.max
    ? `${days.min} ${unit(days.min)}`
    : `${days.min}–${days.max} ${unit(days.max)}`
}

/** A shipping option as its radio button reads: `Express (DHL) · $9.00 · 1–2 business days`. */
export function shippingOptionLabel(option: ShippingOption): string {
  const price = option.price.amount === 0 ? 'Free' : formatMoney(option.price)
  const days = deliveryWords(option.estimatedDays)
  return [shippingName(option), price, days].filter(Boolean).join(' · ')
}

/**
 * The rows of a totals breakdown: subtotal; the discount with its code (when there is one);
 * shipping with its method (free when it costs nothing); tax added, or the tax the prices
 * include ("Incl. tax"); the total. `shippingKnown` false (no destination yet): shipping and tax
 * are said to come, not shown as zero.
 */
export function breakdownRows(
  totals: Totals,
  options: {
    promotionCode?: string | null | undefined
    shippingMethod?: ChosenShipping | null | undefined
    shippingKnown?: boolean
  } = {},
): BreakdownRow[] {
  const rows: BreakdownRow[] = [
    { key: 'subtotal', label: 'Subtotal', value: formatMoney(totals.subtotal) },
  ]
  if (totals.discount.amount > 0) {
    const code = options.promotionCode ? ` (${options.promotionCode})` : ''
    rows.push({ key: 'discount', label: `Discount${code}`, value: formatDiscount(totals.discount) })
  }
  if (options.shippingKnown === false) {
    rows.push({ key: 'shipping', label: 'Shipping and tax', value: 'Calculated at checkout' })
  } else {
    const method = options.shippingMethod ? ` (${shippedBy(options.shippingMethod)})` : ''
    rows.push({
      key: 'shipping',
      label: `Shipping${method}`,
      value: totals.shipping.amount === 0 ? 'Free' : formatMoney(totals.shipping),
    })
    if (totals.taxInclusive) {
      rows.push({ key: 'tax', label: 'Incl. tax', value: formatMoney(totals.tax) })
    } else {
      rows.push({ key: 'tax', label: 'Tax', value: formatMoney(totals.tax) })
    }
  }
  rows.push({ key: 'total', label: 'Total', value: formatMoney(totals.total) })
  return rows
}

/**
 * An order's totals: its own since issue 18; an order placed before has only a total, which
 * was its subtotal (no discount, shipping or tax).
 */
export function orderTotals(order: Partial<Totals> & { total: Money }): Totals {
  const zero = { amount: 0, currency: order.total.currency }
  return {
    subtotal: order.subtotal ?? order.total,
    discount: order.discount ?? zero,
    shipping: order.shipping ?? zero,
    tax: order.tax ?? zero,
    total: order.total,
    taxInclusive: order.taxInclusive ?? false,
  }
}

/**
 * Where an address sends an order, as far as its price depends on it (the quote's
 * `destination`): the country upper-case, and the region and postal code when typed. None
 * without a country.
 */
export function destinationOf(address: {
  country?: string | undefined
  region?: string | undefined
  postalCode?: string | undefined
}): Destination | undefined {
  const country = address.country?.trim().toUpperCase() ?? ''
  if (!/^[A-Z]{2}$/.test(country)) return undefined
  const region = address.region?.trim().slice(0, 100)
  const postalCode = address.postalCode?.trim().slice(0, 20)
  return {
    country,
    ...(region ? { region } : {}),
    ...(postalCode ? { postalCode } : {}),
  }
}

/** Whether two destinations are the same (a quote for one stands for the other). */
export const sameDestination = (a: Destination | undefined, b: Destination | undefined) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

/** A promotion code as typed, in the form the shop keeps it (trimmed, upper-case). */
export const normalizePromotionCode = (text: string) => text.trim().toUpperCase()
