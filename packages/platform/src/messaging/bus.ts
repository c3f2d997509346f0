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
  subscribe(subscription: Subscription): Promise<void>
  readonly deadLetters: DeadLetters
  /** Throws when the broker is not reachable; used by `/readyz`. */
  check(): Promise<void>
  /** Stops consuming, waits for handlers in flight, then closes. */
  close(): Promise<void>
}
