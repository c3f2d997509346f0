import type { catalog } from '@emporium/contracts'
import { AppError, type Logger } from '@emporium/platform/app'
import type { ReservationStore } from './ports.js'
import { reservationNotFound } from './commit-reservation.js'
import { toReservationResult } from './reservation-result.js'

/**
 * The order is cancelled: its held units are given back (`stock.released`, reason
 * `cancelled`). Idempotent: a released, expired or rejected reservation is returned unchanged.
 * A committed one is a 409 `CATALOG.RESERVATION_COMMITTED` (its stock has left).
 */
export function createReleaseReservation(deps: {
  reservations: ReservationStore
  now: () => Date
}) {
  return async (
    orderId: string,
    reason: 'cancelled' | 'expired' = 'cancelled',
  ): Promise<catalog.ReservationResult> => {
    const outcome = await deps.reservations.release(orderId, reason, deps.now())
    if (outcome === 'not_found') throw reservationNotFound()
    if (outcome === 'committed') {
      throw new AppError(
        'conflict',
        'CATALOG.RESERVATION_COMMITTED',
        'The reservation is committed: its stock has left.',
      )
    }
    return toReservationResult(outcome)
  }
}

/**
 * Releases held reservations whose time is up (reason `expired`); returns how many. Run by the
 * service's timer; tests call it with a moved clock.
 */
export function createExpireReservations(deps: {
  reservations: ReservationStore
  now: () => Date
  log?: Logger
}) {
  const release = createReleaseReservation(deps)
  return async (): Promise<number> => {
    let count = 0
    // Bounded: a hold whose release keeps failing must not spin the timer forever.
    for (let batch = 0; batch < 50; batch++) {
      const due = await deps.reservations.expiredHolds(deps.now(), 100)
      for (const orderId of due) {
        try {
          const result = await release(orderId, 'expired')
          if (result.status === 'expired') count++
        } catch (error) {
          // Committed meanwhile: nothing to expire.
          deps.log?.warn({ err: error, orderId }, 'reservation expiry skipped')
        }
      }
      if (due.length < 100) break
    }
    return count
  }
}
