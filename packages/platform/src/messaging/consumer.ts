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

/** What a declared handler's `handle` gets besides its data and adapters. */
export interface EventContext {
  envelope: EventEnvelope
}

/**
 * How a handler declared with `handler()` does its work: `adapters` makes the ports it needs
 * from the consumer's transaction (the inbox row commits with what they write, and after-commit
 * hooks bind to it); `handle` applies one event through them and never sees the transaction.
 */
export interface HandlerSpec<D, A> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as HandlerContext's `trx`
  adapters: (trx: Transaction<any>) => A
  handle: (data: D, adapters: A, context: EventContext) => Promise<void>
}

/**
 * An `EventHandler` made by `handler()`. It is also callable as its own `handle`, so a test can
 * apply an event with a transaction of its choosing, and `on(Event, declared)` still takes it.
 */
export interface DeclaredHandler<D> extends EventHandler<D> {
  (data: D, context: HandlerContext): Promise<void>
}

/**
 * The one way a service declares a consumer (src/events/): against the contract's event, with
 * the adapters it needs bound to the inbox's transaction by the platform.
 * ```ts
 * // services/catalog/src/events/on-order-confirmed.ts; service.ts lists onOrderConfirmed(deps)
 * export const onOrderConfirmed = (deps: { reservationsIn: ReservationsIn; now: () => Date }) =>
 *   handler(orders.OrderConfirmed, {
 *     adapters: deps.reservationsIn, // (trx) => ReservationStore
 *     async handle(data, reservations) {
 *       await reservations.commit(data.orderId, deps.now())
 *     },
 *   })
 * ```
 * `data` is typed by the event (`EventData<typeof orders.OrderConfirmed>`); `handle` may name a
 * narrower type that it reads instead (`H`), one the event's data is assignable to.
 */
export function handler<D, A, H = D>(
  event: EventDefinition<string, D> & EventDefinition<string, NoInfer<H>>,
  spec: HandlerSpec<H, A>,
): DeclaredHandler<H> {
  // async: adapters that throw reject the promise like a failing handle does.
  const handle = async (data: H, { trx, envelope }: HandlerContext) =>
    spec.handle(data, spec.adapters(trx), { envelope })
  return Object.assign(handle, { event: event as EventDefinition<string, H>, handle })
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
