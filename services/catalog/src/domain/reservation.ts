import { AppError } from '@emporium/platform'

export interface StockLine {
  productId: string
  quantity: number
}

export interface ShortLine {
  productId: string
  requested: number
  available: number
}

export type ReservationStatus = 'held' | 'committed' | 'released' | 'expired' | 'rejected'

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
 * released, expired or never held: idempotent), or refuse (committed stock has left).
 */
export function releaseAction(status: ReservationStatus): 'apply' | 'noop' | 'refuse' {
  if (status === 'held') return 'apply'
  if (status === 'committed') return 'refuse'
  return 'noop'
}

/** When a hold taken at `now` expires. */
export function expiryOf(now: Date, ttlSeconds: number): Date {
  return new Date(now.getTime() + ttlSeconds * 1000)
}
