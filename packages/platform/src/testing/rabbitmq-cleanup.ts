import amqp from 'amqplib'
import { queuesOf } from '../messaging/rabbitmq-topology.js'

/**
 * Deletes what a test's RabbitMQ bus declared on a shared vhost: each consumer's queue, its
 * dead-letter queue and one retry queue per delay, then the test's exchange. Suites name these
 * after their run (`<service>-test-<run>`), so nothing of another run is touched; without this
 * every run of a suite left its queues behind on the machine's broker.
 */
export async function deleteRabbitMqTopology(options: {
  url: string
  exchange: string
  consumers: readonly string[]
  /** The bus's `retry.delaysMs`: one retry queue per delay. */
  delaysMs: readonly number[]
}): Promise<void> {
  const connection = await amqp.connect(options.url)
  try {
    const channel = await connection.createChannel()
    for (const consumer of options.consumers) {
      const q = queuesOf(consumer)
      const retries = options.delaysMs.map((_, level) => q.retry(level))
      for (const queue of [q.main, q.dlq, ...retries]) await channel.deleteQueue(queue)
    }
    await channel.deleteExchange(options.exchange)
  } finally {
    await connection.close()
  }
}
