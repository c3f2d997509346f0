import { catalog } from '@emporium/contracts'
import { handler, type HandlerContext } from '@emporium/platform'
import type { PriceCopyWriter } from '../app/ports.js'

/** The price copy within the consumer's transaction. */
export type PriceCopyIn = (trx: HandlerContext['trx']) => PriceCopyWriter

/**
 * `product.updated`: the copy takes the new name and each variant's price and label, dated by
 * the event's occurredAt. An event from before variants has none: the product's own price is its
 * one variant's. A product taken back to draft (issue 17) is as a deleted one (its lines shown as
 * no longer sold) until an update publishes it again. The inbox skips a redelivery; a late or repeated event is harmless anyway
 * (newer-only).
 */
export function onProductUpdated(deps: { pricesIn: PriceCopyIn }) {
  return handler(catalog.ProductUpdated, {
    adapters: deps.pricesIn,
    async handle(data, prices, { envelope }) {
      // Taken back to draft (issue 17): not sold until published again, as a deleted product.
      if (data.status === 'draft') {
        await prices.apply({
          kind: 'deleted',
          productId: data.productId,
          asOf: envelope.occurredAt,
        })
        return
      }
      const variants = data.variants ?? [{ variantId: data.productId, price: data.price }]
      await prices.apply({
        kind: 'updated',
        productId: data.productId,
        name: data.name,
        variants: variants.map((v) => ({
          variantId: v.variantId,
          ...('label' in v && v.label !== undefined ? { label: v.label } : {}),
          price: { amount: v.price.amount, currency: v.price.currency },
        })),
        asOf: envelope.occurredAt,
      })
    },
  })
}

/** `product.deleted`: lines of the product show as unavailable (out of the totals). */
export function onProductDeleted(deps: { pricesIn: PriceCopyIn }) {
  return handler(catalog.ProductDeleted, {
    adapters: deps.pricesIn,
    async handle(data, prices, { envelope }) {
      await prices.apply({ kind: 'deleted', productId: data.productId, asOf: envelope.occurredAt })
    },
  })
}
