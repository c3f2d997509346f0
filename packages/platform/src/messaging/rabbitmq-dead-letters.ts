import type { ConfirmChannel, GetMessage } from 'amqplib'
import { AppError } from '../errors.js'
import type { DeadLetter, DeadLetters } from './bus.js'
import {
  failureHeaders,
  forwardOptions,
  headersForReplay,
  parseEnvelope,
} from './rabbitmq-message.js'
import { closeQuietly, queuesOf, sendToQueueConfirmed } from './rabbitmq-topology.js'

/**
 * Dead-letter operations, each on a channel of its own that is closed at the end. Reading a
 * queue without removing anything has no AMQP verb: `list` takes every message with basic.get
 * WITHOUT acking it, and closing the channel makes the broker requeue them all, unchanged (only
 * their `redelivered` flag is set). A DLQ has no consumer, so nobody misses them meanwhile.
 * A private channel also means a broker error (e.g. an unknown consumer's queue, 404) closes
 * only that channel, never the bus's consuming or publishing channels.
 */
export function createRabbitMqDeadLetters(openChannel: () => Promise<ConfirmChannel>): DeadLetters {
  async function withDlq<T>(
    consumer: string,
    work: (channel: ConfirmChannel, dlq: string, count: number) => Promise<T>,
  ): Promise<T> {
    const channel = await openChannel()
    try {
      const dlq = queuesOf(consumer).dlq
      const { messageCount } = await channel.checkQueue(dlq).catch((error: { code?: number }) => {
        if (error.code !== 404) throw error
        throw new AppError('not_found', 'BUS.NO_DEAD_LETTER_QUEUE', `no dead-letter queue ${dlq}`)
      })
      return await work(channel, dlq, messageCount)
    } finally {
      await closeQuietly(channel)
    }
  }

  // Bounded by the count read first: messages dead-lettered meanwhile wait for the next call.
  async function* take(channel: ConfirmChannel, dlq: string, count: number) {
    for (let i = 0; i < count; i++) {
      const message = await channel.get(dlq, { noAck: false })
      if (message === false) return
      yield message
    }
  }

  return {
    list(consumer) {
      return withDlq(consumer, async (channel, dlq, count) => {
        const letters: DeadLetter[] = []
        for await (const message of take(channel, dlq, count)) {
          letters.push(toDeadLetter(consumer, message))
        }
        return letters
      })
    },

    replay(consumer, ids) {
      const wanted = ids ? new Set(ids) : undefined
      return withDlq(consumer, async (channel, dlq, count) => {
        let replayed = 0
        for await (const message of take(channel, dlq, count)) {
          // Not wanted: left unacked, so the broker puts it back when the channel closes.
          if (wanted && !wanted.has(idOf(message))) continue
          const options = forwardOptions(message.properties, headersForReplay(message))
          // Confirmed on the consumer's queue before it leaves the DLQ: never lost in between.
          await sendToQueueConfirmed(channel, queuesOf(consumer).main, message.content, options)
          channel.ack(message)
          replayed++
        }
        return replayed
      })
    },

    purge(consumer) {
      return withDlq(consumer, async (channel, dlq) => {
        const { messageCount } = await channel.purgeQueue(dlq)
        return messageCount
      })
    },
  }
}

function idOf(message: GetMessage): string {
  const id: unknown = message.properties.messageId
  return typeof id === 'string' ? id : (parseEnvelope(message)?.id ?? '')
}

function toDeadLetter(consumer: string, message: GetMessage): DeadLetter {
  const headers = message.properties.headers ?? {}
  const envelope = parseEnvelope(message) ?? {
    // A body that is not JSON is kept raw so the operator can still see it.
    id: idOf(message),
    type: String(message.properties.type ?? ''),
    version: 0,
    occurredAt: '',
    source: String(message.properties.appId ?? ''),
    correlationId: '',
    data: message.content.toString('utf8'),
  }
  return {
    id: idOf(message),
    consumer,
    envelope,
    error: String(headers[failureHeaders.lastError] ?? ''),
    attempts: Number(headers[failureHeaders.attempt] ?? 0),
    deadLetteredAt: String(headers[failureHeaders.deadLetteredAt] ?? ''),
  }
}
