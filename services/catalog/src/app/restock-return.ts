import type { HandlerContext } from '@emporium/platform/app'

/** Units of a variant coming back on sale. */
export interface RestockLine {
  productId: string
  variantId: string
  quantity: number
}

/** Bound to a consumer's inbox transaction: the stock a returned parcel puts back. */
export interface ReturnRestock {
  /**
   * Adds the units to each variant's on-hand stock (a variant gone meanwhile is skipped) and,
   * when any changed, records `stock.restocked` for the order: the replicas' read caches learn
   * of the change by it (issue 20).
   */
  restock(orderId: string, lines: readonly RestockLine[]): Promise<number>
}

export type ReturnRestockIn = (trx: HandlerContext['trx']) => ReturnRestock

/**
 * A return was received (issue 19): the units staff marked `restock` go back on sale, the
 * product's first variant when the line names none. Once per event: the inbox records it in the
 * same transaction, and orders announces a return's receipt once.
 */
export function restockLines(
  lines: ReadonlyArray<{
    productId: string
    variantId?: string
    quantity: number
    restock: boolean
  }>,
): RestockLine[] {
  return lines
    .filter((line) => line.restock && line.quantity > 0)
    .map((line) => ({
      productId: line.productId,
      variantId: line.variantId ?? line.productId,
      quantity: line.quantity,
    }))
}
