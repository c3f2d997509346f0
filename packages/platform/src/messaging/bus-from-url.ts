import type { Logger } from '../log.js'
import type { Registry } from '../metrics.js'
import { defaultRetryPolicy, type EventBus, type RetryPolicy } from './bus.js'
import { createInProcessBus } from './in-process-bus.js'
import { createNatsBus } from './nats-bus.js'
import { createRabbitMqBus } from './rabbitmq-bus.js'

export type BrokerKind = 'rabbitmq' | 'nats' | 'memory'

/** `amqp(s)://…` RabbitMQ, `nats://…` NATS JetStream, `memory` the in-process bus. */
export const busUrlPattern = '^(memory|(amqps?|nats)://.+)$'

/** The broker a bus URL names (see `busUrlPattern`); `undefined` when it names none. */
export function brokerOf(url: string): BrokerKind | undefined {
  if (url === 'memory') return 'memory'
  if (/^amqps?:\/\/./.test(url)) return 'rabbitmq'
  if (/^nats:\/\/./.test(url)) return 'nats'
  return undefined
}

export interface BusFromUrlOptions {
  exchange?: string
  prefetch?: number
  maxBatch?: number
  /** See the RabbitMQ and NATS buses' `batchLingerMs`. */
  batchLingerMs?: number
  retry?: RetryPolicy
  log: Logger
  registry?: Registry
  /** Shown by the broker's tools, to tell connections apart. */
  connectionName?: string
  /** NATS only: redelivery of what a consumer took and never acked (default 60 s). */
  ackWaitMs?: number
}

/**
 * The bus that `url` (the `RABBITMQ_URL` setting) names: the one place that chooses the
 * adapter, for the services' processes and the dead-letter command alike.
 */
export function createBusFromUrl(url: string, options: BusFromUrlOptions): EventBus {
  const retry = options.retry ?? defaultRetryPolicy
  switch (brokerOf(url)) {
    case 'rabbitmq': {
      const { ackWaitMs: _natsOnly, ...rest } = options
      return createRabbitMqBus({ url, ...rest, retry })
    }
    case 'nats':
      return createNatsBus({ url, ...options, retry })
    case 'memory':
      return createInProcessBus({ retry, log: options.log, registry: options.registry })
    default:
      throw new Error(
        `no bus for ${url.replace(/\/\/[^@/]*@/, '//…@')}: amqp://, nats:// or memory`,
      )
  }
}
