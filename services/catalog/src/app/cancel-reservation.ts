import type { CancelOutcome, ReservationStore } from './ports.js'

/**
 * An order was cancelled: its hold is released (`stock.released`, reason `cancelled`), its
 * committed units are restocked (`stock.restocked`), or, when catalog has not seen the order
 * yet, a tombstone makes its late placement hold nothing. Idempotent: a repeat is a `noop`.
 * Never fails for a business reason, so the `order.cancelled` consumer always acknowledges.
 */
export function createCancelReservation(deps: { reservations: ReservationStore; now: () => Date }) {
  return (orderId: string): Promise<CancelOutcome> => deps.reservations.cancel(orderId, deps.now())
}
