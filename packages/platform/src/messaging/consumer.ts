import type { EventDefinition, EventEnvelope } from '@emporium/contracts'
import type { Transaction } from 'kysely'

/** What an event handler gets besides the event's data: the transaction its effect joins. */
export interface HandlerContext {
  /** The consumer's transaction: the inbox row and the effect commit together. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the handler knows its service's tables; the platform does not
  trx: Transaction<any>
  envelope: EventEnvelope
}

/** One event of a run handed to `handleMany`. */
export interface BatchedEvent<D> {
  data: D
  envelope: EventEnvelope
}

/** One event type a service consumes, and what it does with it. */
export interface EventHandler<D = unknown> {
  event: EventDefinition<string, D>
  handle(data: D, context: HandlerContext): Promise<void>
  /**
   * Optional: applies a run of consecutive deliveries of this event (in delivery order, each
   * new to the inbox) in one go, e.g. as one multi-row statement, in the batch's transaction.
   * It must have the effect of `handle` called for each in turn. Without it, `handle` runs once
   * per event.
   */
  handleMany?(
    events: ReadonlyArray<BatchedEvent<D>>,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as HandlerContext's `trx`
    context: { trx: Transaction<any> },
  ): Promise<void>
}

/** `consumers: [on(StockReserved, onStockReserved(deps))]` */
export function on<D>(
  event: EventDefinition<string, D>,
  handle: (data: D, context: HandlerContext) => Promise<void>,
): EventHandler<D> {
  return { event, handle }
}

/**
 * A handler whose effect is applied to runs of events at once (multi-row statements): the
 * batch consumer hands it every run of consecutive deliveries of its event; a delivery retried
 * alone is a run of one.
 */
export function onEach<D>(
  event: EventDefinition<string, D>,
  handleMany: NonNullable<EventHandler<D>['handleMany']>,
): EventHandler<D> {
  return {
    event,
    handleMany,
    handle: (data, { trx, envelope }) => handleMany([{ data, envelope }], { trx }),
  }
}
