import type { EventEnvelope } from '@emporium/contracts'

/** What a consumer's handler is told about a delivery besides the event. */
export interface Delivery {
  /** 1 on the first delivery attempt, 2 on the first retry, and so on. */
  attempt: number
}

/**
 * A durable subscription: one queue per consuming service (`consumer`), bound to the event
 * types it handles. The handler resolves once its effect is committed (then the message is
 * acked); it throws to have the message retried with growing delay and, after the last retry,
 * dead-lettered with the error. A `PermanentError` dead-letters at once.
 */
export interface Subscription {
  consumer: string
  types: readonly string[]
  handle(envelope: EventEnvelope, delivery: Delivery): Promise<void>
  /**
   * Optional: applies several deliveries at once, in the order given (the broker's), in one
   * transaction. Resolves once that transaction committed, with one outcome per item: `ok`, or
   * the error of an item refused before it was applied (invalid data), which the bus retries or
   * dead-letters alone. Rejects when the batch as a whole failed and nothing of it committed:
   * the bus then applies the items one by one through `handle`, so one poison message holds no
   * others back. A bus may ignore it and call `handle` for each delivery.
   */
  handleBatch?(items: readonly BatchItem[]): Promise<BatchOutcome[]>
}

export interface BatchItem {
  envelope: EventEnvelope
  delivery: Delivery
}

export type BatchOutcome = { ok: true } | { ok: false; error: unknown }

/**
 * An event already serialized (the outbox's stored JSON), published as is: the body is not
 * parsed and serialized again. `id` and `type` must be the body's own.
 */
export interface SerializedEvent {
  id: string
  type: string
  /** The envelope's JSON, exactly as stored. */
  body: string
  correlationId?: string
  source?: string
  traceparent?: string
}

/** A message that exhausted its retries, kept for an operator to inspect and replay. */
export interface DeadLetter {
  /** The event id (messages are identified by it). */
  id: string
  consumer: string
  envelope: EventEnvelope
  /** The last handler error. */
  error: string
  attempts: number
  deadLetteredAt: string
}

export interface DeadLetters {
  list(consumer: string): Promise<DeadLetter[]>
  /** Puts dead letters (all, or those with the given event ids) back on the consumer's queue. */
  replay(consumer: string, ids?: readonly string[]): Promise<number>
  purge(consumer: string): Promise<number>
}

/** Delays before each retry; after the last one, the next failure dead-letters the message. */
export interface RetryPolicy {
  delaysMs: readonly number[]
}

export const defaultRetryPolicy: RetryPolicy = {
  delaysMs: [1_000, 5_000, 30_000, 120_000, 600_000],
}

/**
 * The one bus interface, with a RabbitMQ adapter and an in-process adapter of the same
 * semantics. Only the outbox relay calls `publish`; use cases write to the outbox.
 */
export interface EventBus {
  /** Resolves once the broker has taken responsibility for the message (publisher confirm). */
  publish(envelope: EventEnvelope): Promise<void>
  /**
   * `publish` for an event that is already JSON (the outbox relay's). It does not wait for
   * earlier calls: a caller pipelines many and awaits them together.
   */
  publishSerialized?(event: SerializedEvent): Promise<void>
  subscribe(subscription: Subscription): Promise<void>
  readonly deadLetters: DeadLetters
  /** Throws when the broker is not reachable; used by `/readyz`. */
  check(): Promise<void>
  /** Stops consuming, waits for handlers in flight, then closes. */
  close(): Promise<void>
}
