import { randomUUID } from 'node:crypto'
import type { ConfirmChannel, Options } from 'amqplib'

/** Queue names of one consumer; `retry(n)` holds messages waiting for the n-th delay. */
export function queuesOf(consumer: string) {
  return {
    main: consumer,
    retry: (level: number) => `${consumer}.retry.${level}`,
    dlq: `${consumer}.dlq`,
  }
}

/**
 * Declares a consumer's queues (idempotent, so it runs again on every reconnect). Retries need
 * no plugin: a retry queue has no consumer, and when a message's TTL expires the broker
 * dead-letters it through the default exchange straight back to this consumer's queue only
 * (not the topic exchange, which would hand a second copy to every other consumer).
 * Changing a delay changes `x-message-ttl`, which RabbitMQ refuses for an existing queue:
 * delete the consumer's (normally empty) retry queues when changing the retry policy.
 */
export async function declareConsumerTopology(
  channel: ConfirmChannel,
  options: {
    exchange: string
    consumer: string
    types: readonly string[]
    delaysMs: readonly number[]
  },
): Promise<void> {
  const q = queuesOf(options.consumer)
  await channel.assertExchange(options.exchange, 'topic', { durable: true })
  await channel.assertQueue(q.main, { durable: true })
  for (const type of options.types) await channel.bindQueue(q.main, options.exchange, type)
  for (const [level, ttl] of options.delaysMs.entries()) {
    await channel.assertQueue(q.retry(level), {
      durable: true,
      arguments: {
        'x-message-ttl': ttl,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': q.main,
      },
    })
  }
  await channel.assertQueue(q.dlq, { durable: true })
}

const returned = new WeakMap<ConfirmChannel, Set<string>>()

/**
 * Sends to one queue through the default exchange and resolves once the broker has confirmed
 * it AND a queue took it. Without `mandatory` a message to a missing queue is silently dropped
 * yet still confirmed; the caller acks the original after this, so that would lose it.
 */
export function sendToQueueConfirmed(
  channel: ConfirmChannel,
  queue: string,
  content: Buffer,
  options: Options.Publish,
): Promise<void> {
  let seen = returned.get(channel)
  if (!seen) {
    const set = new Set<string>()
    channel.on('return', (msg: { properties: { headers?: Record<string, unknown> } }) => {
      const id = msg.properties.headers?.['x-send-id']
      if (typeof id === 'string') set.add(id)
    })
    returned.set(channel, set)
    seen = set
  }
  const sendId = randomUUID()
  const headers = { ...options.headers, 'x-send-id': sendId }
  return new Promise((resolve, reject) => {
    try {
      // The broker sends basic.return before the confirm, so `seen` is up to date in the callback.
      channel.publish('', queue, content, { ...options, headers, mandatory: true }, (error) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)))
        if (seen.delete(sendId)) return reject(new Error(`no queue ${queue} to take the message`))
        resolve()
      })
    } catch (error) {
      // amqplib throws synchronously when the channel is already closed.
      reject(error instanceof Error ? error : new Error(String(error)))
    }
  })
}

/** Closes a channel that may already be closed (by the broker, or with its connection). */
export async function closeQuietly(channel: { close(): Promise<void> }): Promise<void> {
  try {
    await channel.close()
  } catch {
    // Already closed: nothing left to release.
  }
}
