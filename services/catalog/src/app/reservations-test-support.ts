import { createCancelReservation } from './cancel-reservation.js'
import { createCommitReservation } from './commit-reservation.js'
import { createFakeReservations } from './fakes-test-support.js'
import { createExpireReservations, createReleaseReservation } from './release-reservation.js'
import { createReserveStock } from './reserve-stock.js'

/**
 * Every reservation use case over one fake store and clock: a reservation's life crosses them
 * (reserved, then committed, released, expired or cancelled), so each one's test drives the others.
 */
export function setup() {
  let now = new Date('2026-03-01T10:00:00Z')
  const stock = { a: { onHand: 5, reserved: 0 }, b: { onHand: 1, reserved: 0 } }
  const fake = createFakeReservations(stock)
  const deps = { reservations: fake.store, now: () => now }
  return {
    stock,
    fake,
    advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)),
    reserve: createReserveStock({ ...deps, ttlSeconds: 900 }),
    commit: createCommitReservation(deps),
    release: createReleaseReservation(deps),
    expire: createExpireReservations(deps),
    cancel: createCancelReservation(deps),
  }
}
