import type { EventDefinition, EventEnvelope } from '@emporium/contracts'
import type { Transaction } from 'kysely'

/** What an event handler gets besides the event's data: the transaction its effect joins. */
export interface HandlerContext {
  /** The consumer's transaction: the inbox row and the effect commit together. */
  trx: Transaction<any>
  envelope: EventEnvelope
}

/** One event type a service consumes, and what it does with it. */
export interface EventHandler<D = any> {
  event: EventDefinition<string, D>
  handle(data: D, context: HandlerContext): Promise<void>
}

/** `consumers: [on(StockReserved, onStockReserved(deps))]` */
export function on<D>(
  event: EventDefinition<string, D>,
  handle: (data: D, context: HandlerContext) => Promise<void>,
): EventHandler<D> {
  return { event, handle }
}
