import { performance } from 'node:perf_hooks'
import type { ConfirmChannel, ConsumeMessage } from 'amqplib'
import type { EventEnvelope } from '@emporium/contracts'
import { PermanentError } from '../errors.js'
import type { Logger } from '../log.js'
import type { BatchOutcome, RetryPolicy, Subscription } from './bus.js'
import { errorText, stepAfterFailure } from './bus-failure.js'
import type { BusMetrics, HandledOutcome } from './bus-metrics.js'
import { createDeliveryBatcher } from './delivery-batcher.js'
import {
  attemptOf,
  forwardOptions,
  headersAfterFailure,
  parseEnvelope,
} from './rabbitmq-message.js'
import { queuesOf, sendToQueueConfirmed } from './rabbitmq-topology.js'

export interface DeliveryDeps {
  subscription: Subscription
  retry: RetryPolicy
  log: Logger
  metrics: BusMetrics
  /** Channels known to be closed: nothing is acked or nacked on them. */
  closedChannels: WeakSet<ConfirmChannel>
  isClosing(): boolean
}

/**
 * Handles a delivery (or a batch) to its end: run the handler, then ack; or, when it throws, send the
 * message on to its next retry queue (or the DLQ), wait for the broker's confirm, and only then
 * ack the original, so there is no moment when neither copy is safe. Everything happens on the
 * channel the message arrived on: if that channel dies meanwhile, the ack is skipped and the
 * broker redelivers the message (at worst a duplicate, which the inbox absorbs).
 */
export function createDeliveryHandler(deps: DeliveryDeps) {
  const { subscription, log, metrics, closedChannels } = deps
  const { consumer, types } = subscription

  function settle(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    how: 'ack' | 'ack-all' | 'requeue',
  ): void {
    if (closedChannels.has(channel)) return
    try {
      // `ack-all` also acks every earlier delivery on the channel: one frame for a batch.
      if (how !== 'requeue') channel.ack(message, how === 'ack-all')
      else channel.nack(message, false, true)
    } catch (err) {
      // The channel closed under us: the broker requeues the message by itself.
      log.warn({ err, consumer }, 'bus could not settle a message; it will be redelivered')
    }
  }

  async function moveFailed(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    attempt: number,
    error: unknown,
    envelope: EventEnvelope | undefined,
  ): Promise<HandledOutcome> {
    const step = stepAfterFailure(error, attempt, deps.retry)
    const dead = step.kind === 'dead_letter'
    const q = queuesOf(consumer)
    const target = dead ? q.dlq : q.retry(step.level)
    const text = errorText(error)
    const fields = { consumer, eventId: envelope?.id, type: envelope?.type, attempt, error: text }
    if (dead) log.error(fields, 'event dead-lettered')
    else log.warn({ ...fields, retryInMs: step.delayMs }, 'event handler failed; will retry')
    const options = forwardOptions(
      message.properties,
      headersAfterFailure(message, attempt, text, dead),
    )
    try {
      await sendToQueueConfirmed(channel, target, message.content, options)
      settle(channel, message, 'ack')
      return dead ? 'dead_letter' : 'retry'
    } catch (err) {
      log.error({ err, consumer, target }, 'bus could not move a failed message; requeueing it')
      // A pause, so that a fault that persists does not spin the handler in a tight loop.
      await new Promise((resolve) => setTimeout(resolve, deps.isClosing() ? 0 : 1_000))
      settle(channel, message, 'requeue')
      return 'retry'
    }
  }

  async function deliver(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    parsed?: EventEnvelope,
  ): Promise<void> {
    const started = performance.now()
    const envelope = parsed ?? parseEnvelope(message)
    const attempt = attemptOf(message)
    const type = envelope?.type ?? String(message.properties.type ?? 'unknown')
    let outcome: HandledOutcome = 'ok'
    try {
      if (!envelope) throw new PermanentError('message body is not a JSON event envelope')
      // A binding left from an older deploy: parked for an operator rather than mishandled.
      if (!types.includes(type)) throw new PermanentError(`${consumer} does not handle ${type}`)
      await subscription.handle(envelope, { attempt })
    } catch (error) {
      outcome = await moveFailed(channel, message, attempt, error, envelope)
    }
    if (outcome === 'ok') settle(channel, message, 'ack')
    metrics.handled(consumer, type, outcome, (performance.now() - started) / 1_000)
  }

  /**
   * Applies deliveries in one go through `subscription.handleBatch` (one transaction), then
   * acks them; if that transaction fails, applies them again one by one, in order, each with
   * its own retry or dead letter, so one poison message holds no others back.
   */
  async function deliverBatch(channel: ConfirmChannel, messages: ConsumeMessage[]): Promise<void> {
    const started = performance.now()
    const items: Array<{ message: ConsumeMessage; envelope: EventEnvelope; attempt: number }> = []
    for (const message of messages) {
      const envelope = parseEnvelope(message)
      // Not an event this consumer handles: dead-lettered alone, as `deliver` does.
      if (!envelope || !types.includes(envelope.type)) await deliver(channel, message, envelope)
      else items.push({ message, envelope, attempt: attemptOf(message) })
    }
    if (items.length > 0) metrics.batch(consumer, items.length)
    const handleBatch = subscription.handleBatch?.bind(subscription)
    // A batch of one has nothing to fall back to: `deliver` is the same transaction.
    if (items.length < 2 || !handleBatch) {
      for (const item of items) await deliver(channel, item.message, item.envelope)
      return
    }
    let outcomes: BatchOutcome[]
    try {
      outcomes = await handleBatch(
        items.map(({ envelope, attempt }) => ({ envelope, delivery: { attempt } })),
      )
    } catch (error) {
      metrics.fellBack(consumer)
      log.warn(
        { err: error, consumer, size: items.length },
        'event batch failed; applying its events one by one',
      )
      for (const item of items) await deliver(channel, item.message, item.envelope)
      return
    }
    const seconds = (performance.now() - started) / 1_000
    if (outcomes.every((result) => result.ok)) {
      // Batches of a channel run one at a time and settle all they took, so every delivery
      // before this batch's last is settled already or in this batch.
      settle(channel, items.at(-1)!.message, 'ack-all')
      for (const { envelope } of items) metrics.handled(consumer, envelope.type, 'ok', seconds)
      return
    }
    for (const [i, { message, envelope, attempt }] of items.entries()) {
      const result = outcomes[i] ?? { ok: true }
      let outcome: HandledOutcome = 'ok'
      if (result.ok) settle(channel, message, 'ack')
      else outcome = await moveFailed(channel, message, attempt, result.error, envelope)
      metrics.handled(consumer, envelope.type, outcome, seconds)
    }
  }

  return { deliver, deliverBatch }
}

/**
 * How a consumer takes its deliveries: a subscription that applies batches gets them in
 * batches, one at a time, in the broker's order (per consumer and process); one without has
 * each handled at once, up to the prefetch.
 */
export function createConsumerIntake(
  deps: DeliveryDeps & { maxBatch: number; batchLingerMs?: number },
) {
  const { log, subscription, closedChannels } = deps
  const { deliver, deliverBatch } = createDeliveryHandler(deps)
  const inFlight = new Set<Promise<void>>()
  const batcher = createDeliveryBatcher<ConfirmChannel, ConsumeMessage>({
    maxBatch: deps.maxBatch,
    lingerMs: deps.batchLingerMs,
    // Deliveries of a channel that died meanwhile are redelivered on the new one.
    run: (channel, messages) =>
      closedChannels.has(channel) ? Promise.resolve() : deliverBatch(channel, messages),
    onError: (err) => log.error({ err, consumer: subscription.consumer }, 'bus delivery crashed'),
  })
  function track(work: Promise<void>): void {
    const running = work.catch((err: unknown) => log.error({ err }, 'bus delivery crashed'))
    inFlight.add(running)
    void running.finally(() => inFlight.delete(running))
  }
  return {
    take: subscription.handleBatch
      ? (channel: ConfirmChannel, message: ConsumeMessage) => batcher.push(channel, message)
      : (channel: ConfirmChannel, message: ConsumeMessage) => track(deliver(channel, message)),
    async idle(): Promise<void> {
      await Promise.allSettled([...inFlight, batcher.idle()])
    },
  }
}
