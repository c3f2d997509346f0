import type { catalog } from '@emporium/contracts'
import { expiryOf, normalizeLines, type StockLine } from '../domain/reservation.js'
import type { ReservationStore } from './ports.js'
import { toReservationResult } from './reservation-result.js'

export interface ReserveStockDeps {
  reservations: ReservationStore
  now: () => Date
  ttlSeconds: number
}

/**
 * Holds all lines of an order or none (`stock.reserved` or `stock.rejected` in the same
 * transaction). Idempotent per order id: a repeat returns the first outcome and emits nothing.
 * A rejection is an outcome (status `rejected` with the short lines), not an error, so the
 * saga can branch on it, whether it calls this directly, by event or over HTTP.
 */
export function createReserveStock(deps: ReserveStockDeps) {
  return async (orderId: string, lines: StockLine[]): Promise<catalog.ReservationResult> => {
    const now = deps.now()
    const normalized = normalizeLines(lines)
    const stored = await deps.reservations.reserve(
      orderId,
      normalized,
      now,
      expiryOf(now, deps.ttlSeconds),
    )
    return toReservationResult(stored)
  }
}
