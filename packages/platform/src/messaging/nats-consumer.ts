import { performance } from 'node:perf_hooks'
import type { EventEnvelope } from '@emporium/contracts'
import type { JsMsg } from '@nats-io/jetstream'
import { PermanentError } from '../errors.js'
import type { Logger } from '../log.js'
import type { BatchOutcome, RetryPolicy, Subscription } from './bus.js'
import { errorText, stepAfterFailure } from './bus-failure.js'
import type { BusMetrics, HandledOutcome } from './bus-metrics.js'
import { createDeliveryBatcher } from './delivery-batcher.js'
import { deadLetterHeaders, natsHeaderNames, parseNatsEnvelope } from './nats-message.js'
import type { NatsNames } from './nats-topology.js'

export interface NatsDeliveryDeps {
  subscription: Subscription
  names: NatsNames
  retry: RetryPolicy
  log: Logger
  metrics: BusMetrics
  /** Publishes to a dead-letter stream; resolves once JetStream acknowledged it (stored). */
  publishDeadLetter(subject: string, data: Uint8Array, headers: JsMsg['headers']): Promise<void>
  isClosing(): boolean
  maxBatch: number
  batchLingerMs?: number
}

/**
 * Handles a consumer's deliveries to their end, as the RabbitMQ consumer does: run the
 * handler, then ack; when it throws, nak with the retry policy's next delay (JetStream
 * redelivers the message then, to this durable consumer only, while later messages go on), or
 * after the last attempt copy it to the consumer's dead-letter stream, wait for that stream's
 * acknowledgement, and only then ack the original: there is no moment when neither copy is
 * safe. A message never acked (a crash) is redelivered once the consumer's ack wait is over.
 * The attempt number is JetStream's delivery count, so a redelivery after a crash counts too.
 */
export function createNatsConsumerIntake(deps: NatsDeliveryDeps) {
  const { subscription, names, log, metrics } = deps
  const { consumer, types } = subscription
  // On a server that filters by one subject only, the durable reads the whole stream: what is
  // not for this consumer (other types, other consumers' replays) is acked without a word.
  const wanted = new Set([...types.map(names.subject), names.replaySubject(consumer)])

  async function moveFailed(
    message: JsMsg,
    attempt: number,
    error: unknown,
    envelope: EventEnvelope | undefined,
  ): Promise<HandledOutcome> {
    const step = stepAfterFailure(error, attempt, deps.retry)
    const text = errorText(error)
    const fields = { consumer, eventId: envelope?.id, type: envelope?.type, attempt, error: text }
    if (step.kind === 'retry') {
      log.warn({ ...fields, retryInMs: step.delayMs }, 'event handler failed; will retry')
      message.nak(step.delayMs)
      return 'retry'
    }
    log.error(fields, 'event dead-lettered')
    try {
      await deps.publishDeadLetter(
        names.dlqSubject(consumer),
        message.data,
        deadLetterHeaders(message.headers, { consumer, attempt, error: text }),
      )
      message.ack()
      return 'dead_letter'
    } catch (err) {
      log.error({ err, consumer }, 'bus could not dead-letter a message; redelivering it')
      // A pause, so that a fault that persists does not spin the handler in a tight loop.
      message.nak(deps.isClosing() ? 0 : 1_000)
      return 'retry'
    }
  }

  function typeOf(message: JsMsg, envelope: EventEnvelope | undefined): string {
    return envelope?.type ?? message.headers?.get(natsHeaderNames.type) ?? 'unknown'
  }

  async function deliver(message: JsMsg, parsed?: EventEnvelope): Promise<void> {
    const started = performance.now()
    const envelope = parsed ?? parseNatsEnvelope(message.data)
    const attempt = message.info.deliveryCount
    const type = typeOf(message, envelope)
    let outcome: HandledOutcome = 'ok'
    try {
      if (!envelope) throw new PermanentError('message body is not a JSON event envelope')
      if (!types.includes(type)) throw new PermanentError(`${consumer} does not handle ${type}`)
      await subscription.handle(envelope, { attempt })
    } catch (error) {
      outcome = await moveFailed(message, attempt, error, envelope)
    }
    if (outcome === 'ok') message.ack()
    metrics.handled(consumer, type, outcome, (performance.now() - started) / 1_000)
  }

  /** `handleBatch` for what arrived together; one by one when its transaction fails. */
  async function deliverBatch(messages: JsMsg[]): Promise<void> {
    const started = performance.now()
    const items: Array<{ message: JsMsg; envelope: EventEnvelope; attempt: number }> = []
    for (const message of messages) {
      const envelope = parseNatsEnvelope(message.data)
      if (!envelope || !types.includes(envelope.type)) await deliver(message, envelope)
      else items.push({ message, envelope, attempt: message.info.deliveryCount })
    }
    if (items.length > 0) metrics.batch(consumer, items.length)
    const handleBatch = subscription.handleBatch?.bind(subscription)
    if (items.length < 2 || !handleBatch) {
      for (const item of items) await deliver(item.message, item.envelope)
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
      for (const item of items) await deliver(item.message, item.envelope)
      return
    }
    const seconds = (performance.now() - started) / 1_000
    for (const [i, { message, envelope, attempt }] of items.entries()) {
      const result = outcomes[i] ?? { ok: true }
      let outcome: HandledOutcome = 'ok'
      if (result.ok) message.ack()
      else outcome = await moveFailed(message, attempt, result.error, envelope)
      metrics.handled(consumer, envelope.type, outcome, seconds)
    }
  }

  const inFlight = new Set<Promise<void>>()
  const batcher = createDeliveryBatcher<null, JsMsg>({
    maxBatch: deps.maxBatch,
    lingerMs: deps.batchLingerMs,
    run: (_, messages) => deliverBatch(messages),
    onError: (err) => log.error({ err, consumer }, 'bus delivery crashed'),
  })
  function track(work: Promise<void>): void {
    const running = work.catch((err: unknown) => log.error({ err }, 'bus delivery crashed'))
    inFlight.add(running)
    void running.finally(() => inFlight.delete(running))
  }

  return {
    /** Takes one delivery: skipped, handled at once, or batched (in arrival order). */
    take(message: JsMsg): void {
      if (!wanted.has(message.subject)) return message.ack()
      if (subscription.handleBatch) batcher.push(null, message)
      else track(deliver(message))
    },
    /** Resolves once the deliveries taken so far are handled and settled. */
    async idle(): Promise<void> {
      await Promise.allSettled([...inFlight, batcher.idle()])
    },
  }
}
