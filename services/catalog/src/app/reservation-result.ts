import type { catalog } from '@emporium/contracts'
import type { StoredReservation } from './ports.js'

/** A stored reservation as the internal API returns it. */
export function toReservationResult(r: StoredReservation): catalog.ReservationResult {
  return {
    orderId: r.orderId,
    status: r.status,
    expiresAt: r.status === 'held' && r.expiresAt ? r.expiresAt.toISOString() : null,
    lines: r.lines,
    shortLines: r.shortLines,
  }
}
