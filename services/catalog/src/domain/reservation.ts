import { AppError } from '@emporium/platform/errors'

/**
 * Units of one variant of a product. `variantId` is absent for the product's first variant,
 * whose id is the product's own: lines from before variants, and every product without options.
 */
export interface StockLine {
  productId: string
  variantId?: string
  quantity: number
}

export interface ShortLine {
  productId: string
  variantId?: string
  requested: number
  available: number
}

/** The variant a line holds stock of: its own id, or the product's (its first variant). */
export function variantOf(line: { productId: string; variantId?: string }): string {
  return line.variantId ?? line.productId
}

/** `variantId` only where it is not the product's own id (the form lines are kept and sent in). */
function variantField(productId: string, variantId: string): { variantId?: string } {
  return variantId === productId ? {} : { variantId }
}

/**
 * `restocked`: a committed reservation whose units came back to onHand (a confirmed order was
 * cancelled). A `released` reservation with no lines is a tombstone: the order was cancelled
 * before it was placed here, so its late placement holds nothing.
 */
export type ReservationStatus =
  'held' | 'committed' | 'released' | 'expired' | 'rejected' | 'restocked'

/**
 * The lines of a reservation as they are applied: one per variant (duplicates summed; a line
 * naming the product's first variant by its id is the same as one naming none) in a stable
 * order (by variant id), so that concurrent reservations lock stock rows in the same order and
 * never deadlock.
 */
export function normalizeLines(lines: readonly StockLine[]): StockLine[] {
  if (lines.length === 0) {
    throw new AppError('invalid', 'CATALOG.EMPTY_RESERVATION', 'A reservation needs a line.')
  }
  const byVariant = new Map<string, { productId: string; quantity: number }>()
  for (const line of lines) {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      throw new AppError('invalid', 'CATALOG.INVALID_QUANTITY', 'Quantities are positive integers.')
    }
    const variantId = variantOf(line)
    const seen = byVariant.get(variantId)
    byVariant.set(variantId, {
      productId: seen?.productId ?? line.productId,
      quantity: (seen?.quantity ?? 0) + line.quantity,
    })
  }
  return [...byVariant]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([variantId, { productId, quantity }]) => ({
      productId,
      ...variantField(productId, variantId),
      quantity,
    }))
}

/**
 * The lines that the available stock cannot cover. `available` is by variant id; a variant
 * unknown there (or not of the line's product) has 0 available.
 */
export function shortLines(
  lines: readonly StockLine[],
  available: ReadonlyMap<string, number>,
): ShortLine[] {
  return lines
    .filter((line) => (available.get(variantOf(line)) ?? 0) < line.quantity)
    .map((line) => ({
      productId: line.productId,
      ...variantField(line.productId, variantOf(line)),
      requested: line.quantity,
      available: Math.max(0, available.get(variantOf(line)) ?? 0),
    }))
}

/**
 * What committing a reservation in `status` does: apply it (held), nothing (already committed:
 * idempotent), or refuse (it no longer holds anything).
 */
export function commitAction(status: ReservationStatus): 'apply' | 'noop' | 'refuse' {
  if (status === 'held') return 'apply'
  if (status === 'committed') return 'noop'
  return 'refuse'
}

/**
 * What releasing a reservation in `status` does: give the stock back (held), nothing (already
 * released, expired, restocked or never held: idempotent), or refuse (committed stock has left).
 */
export function releaseAction(status: ReservationStatus): 'apply' | 'noop' | 'refuse' {
  if (status === 'held') return 'apply'
  if (status === 'committed') return 'refuse'
  return 'noop'
}

/**
 * What restocking a reservation in `status` does: put its units back on hand (committed),
 * nothing (already restocked), or refuse (its units never left the stock).
 */
export function restockAction(status: ReservationStatus): 'apply' | 'noop' | 'refuse' {
  if (status === 'committed') return 'apply'
  if (status === 'restocked') return 'noop'
  return 'refuse'
}

/** What an order's cancellation does to its reservation; see `cancelAction`. */
export type CancelAction = 'tombstone' | 'release' | 'restock' | 'noop'

/**
 * What an order's cancellation does to its reservation (`undefined`: none yet): leave a
 * tombstone (the cancellation overtook the placement), release a hold, restock committed units
 * (a confirmed order cancelled), or nothing (nothing is held any more: idempotent).
 */
export function cancelAction(status: ReservationStatus | undefined): CancelAction {
  if (status === undefined) return 'tombstone'
  if (releaseAction(status) === 'apply') return 'release'
  if (restockAction(status) === 'apply') return 'restock'
  return 'noop'
}

/** When a hold taken at `now` expires. */
export function expiryOf(now: Date, ttlSeconds: number): Date {
  return new Date(now.getTime() + ttlSeconds * 1000)
}
