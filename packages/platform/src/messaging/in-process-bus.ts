import { performance } from 'node:perf_hooks'
import type { EventEnvelope } from '@emporium/contracts'
import { AppError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Registry } from '../metrics.js'
import {
  defaultRetryPolicy,
  type DeadLetter,
  type EventBus,
  type RetryPolicy,
  type Subscription,
} from './bus.js'
import { errorText, stepAfterFailure } from './bus-failure.js'
import { createBusMetrics, type HandledOutcome } from './bus-metrics.js'

export interface InProcessBusOptions {
  retry?: RetryPolicy
  log: Logger
  registry?: Registry
  /** Messages a consumer handles at once, like RabbitMQ's prefetch. */
  prefetch?: number
}

interface Delivery {
  /** The envelope as JSON: every attempt gets a fresh copy, as if it came off a broker. */
  body: string
  attempt: number
  /** Settles `publish` once this first attempt is over. */
  firstAttempt?: { resolve(): void; reject(error: Error): void }
}

interface ConsumerQueue {
  subscription: Subscription
  waiting: Delivery[]
  running: Set<Promise<void>>
  dead: DeadLetter[]
}

/**
 * The bus of the embedded mode (every service in one process, on a laptop), with the RabbitMQ
 * adapter's semantics: topic routing by type, one queue per consumer handled with bounded
 * concurrency, retries after the same growing delays, then a dead-letter list.
 *
 * Durability, deliberately: `publish` resolves only once each subscribed consumer's FIRST
 * attempt is over (handled, or failed and scheduled for retry or dead-lettered), so the outbox
 * relay marks a row sent only after the consumers have had the event. Retries waiting in
 * memory, and dead letters, are lost if the process dies. A type nobody subscribes to is
 * dropped, like a topic exchange with no queue bound for it. A handler must not await
 * `publish` of an event its own consumer handles (use the outbox): with every slot taken it
 * would wait for itself.
 */
export function createInProcessBus(options: InProcessBusOptions): EventBus {
  const { log } = options
  const retry = options.retry ?? defaultRetryPolicy
  const prefetch = options.prefetch ?? 20
  const consumers = new Map<string, ConsumerQueue>()
  const timers = new Set<NodeJS.Timeout>()
  let closing: Promise<void> | undefined
  const metrics = createBusMetrics(options.registry, async () =>
    [...consumers.entries()].map(([consumer, q]) => ({
      consumer,
      ready: q.waiting.length,
      deadLetters: q.dead.length,
    })),
  )
  metrics.connected(true)

  function enqueue(queue: ConsumerQueue, delivery: Delivery): void {
    queue.waiting.push(delivery)
    pump(queue)
  }

  function pump(queue: ConsumerQueue): void {
    while (!closing && queue.running.size < prefetch && queue.waiting.length > 0) {
      const delivery = queue.waiting.shift()!
      // A later tick, never the publisher's call stack: handlers run as they would off a broker.
      const running: Promise<void> = Promise.resolve()
        .then(() => attempt(queue, delivery))
        .catch((err: unknown) => log.error({ err }, 'bus delivery crashed'))
        .finally(() => {
          queue.running.delete(running)
          pump(queue)
        })
      queue.running.add(running)
    }
  }

  async function attempt(queue: ConsumerQueue, delivery: Delivery): Promise<void> {
    const { consumer } = queue.subscription
    const envelope = JSON.parse(delivery.body) as EventEnvelope
    const started = performance.now()
    let outcome: HandledOutcome = 'ok'
    try {
      await queue.subscription.handle(envelope, { attempt: delivery.attempt })
    } catch (error) {
      const step = stepAfterFailure(error, delivery.attempt, retry)
      const fields = {
        consumer,
        eventId: envelope.id,
        type: envelope.type,
        attempt: delivery.attempt,
      }
      if (step.kind === 'retry') {
        outcome = 'retry'
        log.warn(
          { ...fields, error: errorText(error), retryInMs: step.delayMs },
          'event handler failed; will retry',
        )
        const timer = setTimeout(() => {
          timers.delete(timer)
          enqueue(queue, { body: delivery.body, attempt: delivery.attempt + 1 })
        }, step.delayMs)
        timers.add(timer)
      } else {
        outcome = 'dead_letter'
        log.error({ ...fields, error: errorText(error) }, 'event dead-lettered')
        queue.dead.push({
          id: envelope.id,
          consumer,
          envelope: JSON.parse(delivery.body) as EventEnvelope,
          error: errorText(error),
          attempts: delivery.attempt,
          deadLetteredAt: new Date().toISOString(),
        })
      }
    } finally {
      metrics.handled(consumer, envelope.type, outcome, (performance.now() - started) / 1_000)
      delivery.firstAttempt?.resolve()
    }
  }

  function queueOf(consumer: string): ConsumerQueue {
    const queue = consumers.get(consumer)
    if (!queue) {
      throw new AppError(
        'not_found',
        'BUS.NO_DEAD_LETTER_QUEUE',
        `no dead-letter queue for ${consumer}`,
      )
    }
    return queue
  }

  async function publishBody(type: string, body: string): Promise<void> {
    if (closing) throw closedError()
    const targets = [...consumers.values()].filter((q) => q.subscription.types.includes(type))
    await Promise.all(
      targets.map(
        (queue) =>
          new Promise<void>((resolve, reject) =>
            enqueue(queue, { body, attempt: 1, firstAttempt: { resolve, reject } }),
          ),
      ),
    )
  }

  return {
    async publish(envelope) {
      await publishBody(envelope.type, JSON.stringify(envelope))
    },
    async publishSerialized(event) {
      await publishBody(event.type, event.body)
    },

    async subscribe(subscription) {
      if (closing) throw closedError()
      if (consumers.has(subscription.consumer)) {
        throw new AppError(
          'conflict',
          'BUS.DUPLICATE_CONSUMER',
          `${subscription.consumer} already subscribed`,
          {
            details: { hint: 'one subscription per consumer, listing every type it handles' },
          },
        )
      }
      consumers.set(subscription.consumer, {
        subscription,
        waiting: [],
        running: new Set(),
        dead: [],
      })
    },

    deadLetters: {
      async list(consumer) {
        return queueOf(consumer).dead.map((letter) => structuredClone(letter))
      },
      async replay(consumer, ids) {
        if (closing) throw closedError()
        const queue = queueOf(consumer)
        const wanted = ids ? new Set(ids) : undefined
        const replayed = queue.dead.filter((letter) => !wanted || wanted.has(letter.id))
        queue.dead = queue.dead.filter((letter) => !replayed.includes(letter))
        for (const letter of replayed)
          enqueue(queue, { body: JSON.stringify(letter.envelope), attempt: 1 })
        return replayed.length
      },
      async purge(consumer) {
        const queue = queueOf(consumer)
        const count = queue.dead.length
        queue.dead = []
        return count
      },
    },

    async check() {
      if (closing) throw closedError()
    },

    close() {
      closing ??= (async () => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        for (const queue of consumers.values()) {
          // Never attempted: their publishers are told, so the outbox keeps the rows.
          for (const delivery of queue.waiting.splice(0))
            delivery.firstAttempt?.reject(closedError())
        }
        await Promise.allSettled([...consumers.values()].flatMap((q) => [...q.running]))
        metrics.connected(false)
      })()
      return closing
    },
  }
}

function closedError(): AppError {
  return new AppError('unavailable', 'BUS.CLOSED', 'the bus is closed')
}
