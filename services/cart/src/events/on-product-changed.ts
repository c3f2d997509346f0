import type { HandlerContext } from '@emporium/platform'
import type { PriceCopyWriter } from '../app/ports.js'

/** The price copy within the consumer's transaction. */
export type PriceCopyIn = (trx: HandlerContext['trx']) => PriceCopyWriter

/**
 * `product.updated`: the copy takes the new name and price, dated by the event's occurredAt.
 * The inbox skips a redelivery; a late or repeated event is harmless anyway (newer-only).
 */
export function onProductUpdated(deps: { pricesIn: PriceCopyIn }) {
  return async (
    data: { productId: string; name: string; price: { amount: number; currency: string } },
    { trx, envelope }: HandlerContext,
  ) => {
    await deps.pricesIn(trx).apply({
      kind: 'updated',
      productId: data.productId,
      name: data.name,
      price: { amount: data.price.amount, currency: data.price.currency },
      asOf: envelope.occurredAt,
    })
  }
}

/** `product.deleted`: lines of the product show as unavailable (out of the totals). */
export function onProductDeleted(deps: { pricesIn: PriceCopyIn }) {
  return async (data: { productId: string }, { trx, envelope }: HandlerContext) => {
    await deps.pricesIn(trx).apply({
      kind: 'deleted',
      productId: data.productId,
      asOf: envelope.occurredAt,
    })
  }
}
