import type { Money } from '../domain/order.js'
import type { Promotion, PromotionDefinition } from '../domain/promotion.js'
import type { PromotionsTable } from './promotion-tables.js'

/* The mapping between the promotion tables' rows and the domain's promotions. */

/** A definition as the `promotions` row stores it. */
export function toRow(definition: PromotionDefinition) {
  const { offer, minSubtotal } = definition
  return {
    code: definition.code,
    kind: offer.kind,
    percent: offer.kind === 'percentage' ? offer.percent : null,
    amount: offer.kind === 'fixed' ? offer.amount.amount : null,
    currency: offer.kind === 'fixed' ? offer.amount.currency : null,
    min_subtotal_amount: minSubtotal?.amount ?? null,
    min_subtotal_currency: minSubtotal?.currency ?? null,
    starts_at: definition.startsAt,
    ends_at: definition.endsAt,
    usage_limit: definition.usageLimit,
    per_customer_limit: definition.perCustomerLimit,
    active: definition.active,
  }
}

/** A `promotions` row as the domain sees it. */
export function toPromotion(row: PromotionsTable): Promotion {
  return {
    id: row.id,
    code: row.code,
    offer:
      row.kind === 'percentage'
        ? { kind: 'percentage', percent: Number(row.percent) }
        : { kind: 'fixed', amount: money(row.amount ?? 0, row.currency ?? '') },
    minSubtotal:
      row.min_subtotal_amount === null || row.min_subtotal_currency === null
        ? null
        : money(row.min_subtotal_amount, row.min_subtotal_currency),
    startsAt: row.starts_at === null ? null : new Date(row.starts_at),
    endsAt: row.ends_at === null ? null : new Date(row.ends_at),
    usageLimit: row.usage_limit === null ? null : Number(row.usage_limit),
    perCustomerLimit: row.per_customer_limit === null ? null : Number(row.per_customer_limit),
    active: row.active,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}

/** An amount read back (bigint columns come as strings) with its currency. */
export function money(amount: number | string, currency: string): Money {
  // char(3) pads nothing for a 3-letter code, but PGlite and pg both hand it back as text.
  return { amount: Number(amount), currency: currency.trim() }
}
