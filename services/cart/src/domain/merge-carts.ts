import { lineKey, maxCartLines, maxLineQuantity, type CartLine, type StoredCart } from './cart.js'

/** Why units of a guest's line stayed out of the account's cart. */
export type NotMergedReason = 'line_limit' | 'quantity_limit' | 'currency_mismatch'

/** Units of a guest's line a merge could not move. */
export interface NotMergedLine {
  productId: string
  variantId?: string
  name: string
  quantity: number
  reason: NotMergedReason
}

export interface MergedLines {
  /** The account cart's lines after the merge. */
  lines: CartLine[]
  /** Guest lines that moved, wholly or in part. */
  mergedLines: number
  /** What did not fit, by line. */
  notMerged: NotMergedLine[]
}

/**
 * The account's cart with a guest's lines moved in, in the guest's order after the account's
 * own: the units of a variant both hold are added up to the line's most (99), the rest reported
 * as `quantity_limit`; a new variant takes a new line while the cart has room (100 lines), else
 * the whole line is reported as `line_limit`; a line in another currency than the cart's is
 * reported as `currency_mismatch` (a cart has one currency). Nothing is lost silently: every
 * unit of the guest's cart is either in `lines` or in `notMerged`. Names and prices are the
 * lines' own (pricing shows the price copy's when it is newer, as for any line); stock is the
 * checkout's to check, as for a line added long before.
 */
export function mergeLines(target: StoredCart, guest: StoredCart): MergedLines {
  const lines = target.lines.map((line) => ({ ...line }))
  const notMerged: NotMergedLine[] = []
  let mergedLines = 0
  let currency = lines[0]?.unitPrice.currency
  for (const line of guest.lines) {
    const left = (quantity: number, reason: NotMergedReason) =>
      notMerged.push({
        productId: line.productId,
        ...(line.variantId !== undefined ? { variantId: line.variantId } : {}),
        name: line.name,
        quantity,
        reason,
      })
    if (currency !== undefined && line.unitPrice.currency !== currency) {
      left(line.quantity, 'currency_mismatch')
      continue
    }
    const existing = lines.find((l) => lineKey(l) === lineKey(line))
    if (existing) {
      const room = maxLineQuantity - existing.quantity
      const moved = Math.min(room, line.quantity)
      if (moved > 0) {
        existing.quantity += moved
        mergedLines++
      }
      if (moved < line.quantity) left(line.quantity - moved, 'quantity_limit')
      continue
    }
    if (lines.length >= maxCartLines) {
      left(line.quantity, 'line_limit')
      continue
    }
    lines.push({ ...line, quantity: Math.min(line.quantity, maxLineQuantity) })
    if (line.quantity > maxLineQuantity) left(line.quantity - maxLineQuantity, 'quantity_limit')
    currency ??= line.unitPrice.currency
    mergedLines++
  }
  return { lines, mergedLines, notMerged }
}
