import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { natsNamesOf } from '../messaging/nats-topology.js'

/**
 * What waits on a NATS JetStream bus, named as RabbitMQ's queues are: `<consumer>` → events
 * not yet delivered to it or delivered and not acked; `<consumer>.dlq` → its dead letters.
 * For tests that check a run left nothing behind (the chaos run's `settle`).
 */
export async function natsQueueDepths(
  url: string,
  exchange = 'emporium.events',
): Promise<Map<string, number>> {
  const names = natsNamesOf(exchange)
  const { hostname, port } = new URL(url)
  const nc = await connect({ servers: `${hostname}:${port || 4222}` })
  try {
    const jsm = await jetstreamManager(nc)
    const depths = new Map<string, number>()
    const streams = new Set<string>()
    for await (const stream of jsm.streams.list()) streams.add(stream.config.name)
    if (!streams.has(names.stream)) return depths
    for await (const consumer of jsm.consumers.list(names.stream)) {
      const name = consumer.name
      depths.set(name, consumer.num_pending + consumer.num_ack_pending)
      const dlq = names.dlqStream(name)
      if (streams.has(dlq)) depths.set(`${name}.dlq`, (await jsm.streams.info(dlq)).state.messages)
    }
    return depths
  } finally {
    await nc.close()
  }
}
