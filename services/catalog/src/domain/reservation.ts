import { AppError } from '@emporium/platform/errors'

export interface StockLine {
  productId: string
  quantity: number
}

export interface ShortLine {
  productId: string
  requested: number
  available: number
}

/**
 * `restocked`: a committed reservation whose units came back to onHand (a confirmed order was
 * cancelled). A `released` reservation with no lines is a tombstone: the order was cancelled
 * before it was placed here, so its late placement holds nothing.
 */
export type ReservationStatus =
  'held' | 'committed' | 'released' | 'expired' | 'rejected' | 'restocked'

/**
 * The lines of a reservation as they are applied: one per product (duplicates summed) in a
 * stable order (by product id), so that concurrent reservations lock stock rows in the same
 * order and never deadlock.
 */
export function normalizeLines(lines: readonly StockLine[]): StockLine[] {
  if (lines.length === 0) {
    throw new AppError('invalid', 'CATALOG.EMPTY_RESERVATION', 'A reservation needs a line.')
  }
  const byProduct = new Map<string, number>()
  for (const line of lines) {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      throw new AppError('invalid', 'CATALOG.INVALID_QUANTITY', 'Quantities are positive integers.')
    }
    byProduct.set(line.productId, (byProduct.get(line.productId) ?? 0) + line.quantity)
  }
  return [...byProduct]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0))
}

/** The lines that the available stock cannot cover (an unknown product has 0 available). */
export function shortLines(
  lines: readonly StockLine[],
  available: ReadonlyMap<string, number>,
): ShortLine[] {
  return lines
    .filter((line) => (available.get(line.productId) ?? 0) < line.quantity)
    .map((line) => ({
      productId: line.productId,
      requested: line.quantity,
      available: Math.max(0, available.get(line.productId) ?? 0),
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
