import type { Logger } from '@emporium/platform'
import type { ReservationsIn } from '../app/ports.js'

/** What the consumers of the orders' events need. */
export interface OrderEventDeps {
  /** The reservation store in the consumer's inbox transaction (its only database handle). */
  reservationsIn: ReservationsIn
  now: () => Date
  log: Logger
}

/** The part of an order event's lines that stock cares about. */
export interface OrderLines {
  orderId: string
  lines: ReadonlyArray<{ productId: string; quantity: number }>
}

/** The order's lines as stock lines (product and units only). */
export function stockLinesOf(data: OrderLines) {
  return data.lines.map((l) => ({ productId: l.productId, quantity: l.quantity }))
}
