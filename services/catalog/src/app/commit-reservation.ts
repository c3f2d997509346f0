import type { catalog } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import type { ReservationStore } from './ports.js'
import { toReservationResult } from './reservation-result.js'

export function reservationNotFound(): AppError {
  return new AppError(
    'not_found',
    'CATALOG.RESERVATION_NOT_FOUND',
    'No reservation for this order.',
  )
}

/**
 * The order is confirmed: its held units leave onHand and reserved (`stock.committed`).
 * Idempotent: committing a committed reservation returns it. A reservation that no longer holds
 * anything (released, expired, rejected) is a 409 `CATALOG.RESERVATION_NOT_HELD`.
 */
export function createCommitReservation(deps: { reservations: ReservationStore; now: () => Date }) {
  return async (orderId: string): Promise<catalog.ReservationResult> => {
    const outcome = await deps.reservations.commit(orderId, deps.now())
    if (outcome === 'not_found') throw reservationNotFound()
    if (outcome === 'not_held') {
      throw new AppError(
        'conflict',
        'CATALOG.RESERVATION_NOT_HELD',
        'The reservation no longer holds stock (released, expired or rejected).',
      )
    }
    return toReservationResult(outcome)
  }
}
