import {
  cancelAction,
  commitAction,
  releaseAction,
  shortLines,
  variantOf,
  type StockLine,
} from '../domain/reservation.js'
import type { ReservationStore, StoredReservation } from './ports.js'

/**
 * An in-memory ReservationStore with the same rules as the SQL one (all or none, idempotent per
 * order id), recording the events it would write. `stock` is by variant id (a product's first
 * variant has the product's id). For the app layer's unit tests.
 */
export function createFakeReservations(
  stock: Record<string, { onHand: number; reserved: number }>,
) {
  const reservations = new Map<string, StoredReservation>()
  const events: Array<{ type: string; data: unknown }> = []
  const store: ReservationStore = {
    async reserve(orderId, lines, _now, expiresAt) {
      const existing = reservations.get(orderId)
      if (existing) return existing
      const available = new Map(
        Object.entries(stock).map(([id, s]) => [id, s.onHand - s.reserved] as const),
      )
      const short = shortLines(lines, available)
      if (short.length > 0) {
        const rejected = {
          orderId,
          status: 'rejected' as const,
          lines,
          shortLines: short,
          expiresAt: null,
        }
        reservations.set(orderId, rejected)
        events.push({ type: 'stock.rejected', data: { orderId, shortLines: short } })
        return rejected
      }
      for (const line of lines) stock[variantOf(line)]!.reserved += line.quantity
      const held = { orderId, status: 'held' as const, lines, shortLines: [], expiresAt }
      reservations.set(orderId, held)
      events.push({ type: 'stock.reserved', data: { orderId, lines } })
      return held
    },
    async commit(orderId) {
      const r = reservations.get(orderId)
      if (!r) return 'not_found'
      const action = commitAction(r.status)
      if (action === 'noop') return r
      if (action === 'refuse') return 'not_held'
      apply(r.lines, (s, q) => ((s.onHand -= q), (s.reserved -= q)))
      r.status = 'committed'
      events.push({ type: 'stock.committed', data: { orderId, lines: r.lines } })
      return r
    },
    async release(orderId, reason) {
      const r = reservations.get(orderId)
      if (!r) return 'not_found'
      const action = releaseAction(r.status)
      if (action === 'noop') return r
      if (action === 'refuse') return 'committed'
      apply(r.lines, (s, q) => (s.reserved -= q))
      r.status = reason === 'expired' ? 'expired' : 'released'
      events.push({ type: 'stock.released', data: { orderId, reason } })
      return r
    },
    async cancel(orderId) {
      const r = reservations.get(orderId)
      const action = cancelAction(r?.status)
      if (action === 'tombstone') {
        const tombstone = {
          orderId,
          status: 'released' as const,
          lines: [],
          shortLines: [],
          expiresAt: null,
        }
        reservations.set(orderId, tombstone)
        return { action, reservation: tombstone }
      }
      if (action === 'release') {
        apply(r!.lines, (s, q) => (s.reserved -= q))
        r!.status = 'released'
        events.push({ type: 'stock.released', data: { orderId, reason: 'cancelled' } })
      }
      if (action === 'restock') {
        apply(r!.lines, (s, q) => (s.onHand += q))
        r!.status = 'restocked'
        events.push({ type: 'stock.restocked', data: { orderId, lines: r!.lines } })
      }
      return { action, reservation: r! }
    },
    async expiredHolds(now, limit) {
      return [...reservations.values()]
        .filter((r) => r.status === 'held' && r.expiresAt! <= now)
        .slice(0, limit)
        .map((r) => r.orderId)
    },
  }
  function apply(
    lines: StockLine[],
    change: (s: { onHand: number; reserved: number }, q: number) => void,
  ) {
    for (const line of lines) change(stock[variantOf(line)]!, line.quantity)
  }
  return { store, events, reservations }
}
