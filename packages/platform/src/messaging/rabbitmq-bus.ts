import { once } from 'node:events'
import type { Writable } from 'node:stream'
import amqp, { type ChannelWrapper } from 'amqp-connection-manager'
import type { ConfirmChannel, ConsumeMessage } from 'amqplib'
import { AppError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Registry } from '../metrics.js'
import { defaultRetryPolicy, type EventBus, type RetryPolicy, type Subscription } from './bus.js'
import { createBusMetrics, type QueueDepth } from './bus-metrics.js'
import { createConsumerIntake } from './rabbitmq-consumer.js'
import { createRabbitMqDeadLetters } from './rabbitmq-dead-letters.js'
import { publishOptions } from './rabbitmq-message.js'
import { inTraceOf } from '../tracing.js'
import { closeQuietly, declareConsumerTopology, queuesOf } from './rabbitmq-topology.js'

export interface RabbitMqBusOptions {
  /** `amqp://user:pass@host:5672/vhost` */
  url: string
  /** The one topic exchange every event is published to; routing key = event type. */
  exchange?: string
  retry?: RetryPolicy
  /**
   * Unacked deliveries the broker lets a consumer hold. A subscription that applies batches
   * (`handleBatch`) takes them in order, a batch at a time; one without handles this many at
   * once. Default 100.
   */
  prefetch?: number
  /** Most deliveries a batching consumer applies in one transaction. Default 50. */
  maxBatch?: number
  /**
   * How long a batching consumer waits for more deliveries after the first of a batch arrived
   * while it was idle (0, the default: none). For consumers whose effect nobody waits for.
   */
  batchLingerMs?: number
  log: Logger
  registry?: Registry
  /** How long `publish` (and a dead-letter command) waits for the broker, reconnects included. */
  publishTimeoutMs?: number
  /** Pause between reconnect attempts. */
  reconnectSeconds?: number
  heartbeatSeconds?: number
  /** Shown by the broker's management tools, to tell connections apart. */
  connectionName?: string
}

interface ConsumerState {
  subscription: Subscription
  /** Takes one delivery: handled at once, or batched. */
  take(channel: ConfirmChannel, message: ConsumeMessage): void
  /** Resolves once the deliveries taken so far are handled and settled; `close` waits for it. */
  idle(): Promise<void>
  current?: { channel: ConfirmChannel; consumerTag: string }
}

/**
 * The RabbitMQ adapter of the bus. amqp-connection-manager reconnects and re-runs each
 * channel's setup (topology, then consume) after a broker restart. A message is acked only on
 * the channel it arrived on: after a reconnect its delivery tag means nothing (or another
 * message) on the new channel, and acking an unknown tag makes the broker close that channel.
 * Such a message is simply redelivered, and the consumer's inbox drops the duplicate.
 */
export function createRabbitMqBus(options: RabbitMqBusOptions): EventBus {
  const { url, log } = options
  const exchange = options.exchange ?? 'emporium.events'
  const retry = options.retry ?? defaultRetryPolicy
  const prefetch = options.prefetch ?? 100
  const maxBatch = options.maxBatch ?? 50
  const publishTimeoutMs = options.publishTimeoutMs ?? 10_000
  const reconnectSeconds = options.reconnectSeconds ?? 2
  const consumers = new Map<string, ConsumerState>()
  const closedChannels = new WeakSet<ConfirmChannel>()
  const metrics = createBusMetrics(options.registry, depths)
  let closing: Promise<void> | undefined
  let repairTimer: NodeJS.Timeout | undefined

  const manager = amqp.connect(url, {
    heartbeatIntervalInSeconds: options.heartbeatSeconds ?? 10,
    reconnectTimeInSeconds: reconnectSeconds,
    connectionOptions: {
      clientProperties: { connection_name: options.connectionName ?? `emporium ${exchange}` },
    },
  })
  manager.on('connect', () => {
    metrics.connected(true)
    log.info({ exchange }, 'bus connected to RabbitMQ')
  })
  manager.on('disconnect', ({ err }) => {
    metrics.connected(false)
    if (!closing) log.warn({ err }, 'bus lost its RabbitMQ connection; reconnecting')
  })
  manager.on('connectFailed', ({ err }) => {
    if (!closing) log.warn({ err }, 'bus cannot reach RabbitMQ; retrying')
  })

  /**
   * amqp-connection-manager reopens channels only when the connection comes back, so a channel
   * the broker closed on its own (a 404 on a deleted queue, a cancelled consumer) would stay
   * dead. Reconnecting rebuilds everything; it waits one reconnect pause so that a fault that
   * persists (say, a queue declared with other arguments) retries slowly rather than in a loop.
   */
  function repairLater(reason: string): void {
    if (closing || repairTimer) return
    const connection = manager.connection
    log.error({ reason }, 'bus channel lost while connected; reconnecting to rebuild it')
    repairTimer = setTimeout(() => {
      repairTimer = undefined
      if (!closing && connection && manager.connection === connection) manager.reconnect()
    }, reconnectSeconds * 1_000)
  }

  function watch(channel: ConfirmChannel, name: string): void {
    channel.on('error', (err: Error) => log.warn({ err, channel: name }, 'bus channel error'))
    channel.on('close', () => closedChannels.add(channel))
  }

  /** Called once a channel is in service: a setup that fails is reported, not retried here. */
  function repairOnLoss(channel: ConfirmChannel, name: string): void {
    channel.on('close', () => {
      // Let a dropped connection be noticed first: then this is no channel-only failure.
      setImmediate(() => {
        if (manager.connection?.connection === channel.connection) repairLater(`${name} closed`)
      })
    })
  }

  let publisher: ChannelWrapper | undefined
  function getPublisher(): ChannelWrapper {
    if (publisher) return publisher
    // Created on first use, so the dead-letter command declares nothing.
    publisher = manager.createChannel({
      name: 'publish',
      confirm: true,
      publishTimeout: publishTimeoutMs,
      setup: async (channel: ConfirmChannel) => {
        watch(channel, 'publish')
        await channel.assertExchange(exchange, 'topic', { durable: true })
        repairOnLoss(channel, 'publish')
      },
    })
    publisher.on('error', (err: Error) => log.error({ err }, 'bus publisher setup failed'))
    return publisher
  }

  async function openChannel(): Promise<ConfirmChannel> {
    if (closing) throw closedError()
    let connection = manager.connection
    if (!connection) {
      const timeout = AbortSignal.timeout(publishTimeoutMs)
      await once(manager, 'connect', { signal: timeout }).catch(() => {
        throw new AppError('unavailable', 'BUS.DISCONNECTED', 'RabbitMQ is not reachable')
      })
      connection = manager.connection
      if (!connection) throw new AppError('unavailable', 'BUS.DISCONNECTED', 'RabbitMQ went away')
    }
    const channel = await connection.createConfirmChannel()
    // The operation on it reports its own failure; this only keeps the error from being thrown.
    channel.on('error', (err: Error) => log.debug({ err }, 'bus private channel closed'))
    return channel
  }

  async function depths(): Promise<QueueDepth[]> {
    if (!manager.isConnected() || consumers.size === 0) return []
    const channel = await openChannel()
    const result: QueueDepth[] = []
    try {
      for (const consumer of consumers.keys()) {
        const q = queuesOf(consumer)
        const main = await channel.checkQueue(q.main)
        const dlq = await channel.checkQueue(q.dlq)
        result.push({ consumer, ready: main.messageCount, deadLetters: dlq.messageCount })
      }
    } catch (err) {
      log.debug({ err }, 'bus could not read queue depths')
    } finally {
      await closeQuietly(channel)
    }
    return result
  }

  /**
   * Holds the socket's writes while a burst of publishes is queued (the relay's batch), so its
   * frames leave in one write instead of one system call each. amqplib's muxer writes them in a
   * setImmediate of its own, scheduled after this call: the uncork comes one turn after it.
   */
  let corked = false
  function corkBriefly(): void {
    const socket = (manager.connection as unknown as { connection?: { stream?: Writable } })
      ?.connection?.stream
    if (corked || typeof socket?.cork !== 'function') return
    corked = true
    socket.cork()
    setImmediate(() =>
      setImmediate(() => {
        corked = false
        socket.uncork()
      }),
    )
  }

  async function publishBody(body: Buffer, options: Parameters<typeof publishOptions>[0]) {
    if (closing) throw closedError()
    corkBriefly()
    try {
      // Not awaited one by one: many publishes wait for their confirms at once (pipelined).
      // In the event's trace: the broker library's publish span (when instrumented) joins it.
      await inTraceOf(options.traceparent, () =>
        getPublisher().publish(exchange, options.type, body, publishOptions(options)),
      )
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause)
      throw new AppError('unavailable', 'BUS.PUBLISH_FAILED', `publish not confirmed: ${reason}`, {
        cause,
      })
    }
  }

  return {
    async publish(envelope) {
      await publishBody(Buffer.from(JSON.stringify(envelope)), envelope)
    },
    async publishSerialized(event) {
      await publishBody(Buffer.from(event.body), event)
    },

    async subscribe(subscription) {
      if (closing) throw closedError()
      const { consumer } = subscription
      if (consumers.has(consumer)) {
        throw new AppError('conflict', 'BUS.DUPLICATE_CONSUMER', `${consumer} already subscribed`, {
          details: { hint: 'one subscription per consumer, listing every type it handles' },
        })
      }
      const state: ConsumerState = {
        subscription,
        ...createConsumerIntake({
          subscription,
          retry,
          log,
          metrics,
          closedChannels,
          isClosing: () => closing !== undefined,
          maxBatch,
          batchLingerMs: options.batchLingerMs,
        }),
      }
      consumers.set(consumer, state)
      let resolve!: () => void
      let reject!: (error: Error) => void
      const ready = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
      const wrapper = manager.createChannel({
        name: `consume ${consumer}`,
        confirm: true,
        setup: async (channel: ConfirmChannel) => {
          watch(channel, `consume ${consumer}`)
          await declareConsumerTopology(channel, {
            exchange,
            consumer,
            types: subscription.types,
            delaysMs: retry.delaysMs,
          })
          if (closing) return
          await channel.prefetch(prefetch)
          const { consumerTag } = await channel.consume(
            queuesOf(consumer).main,
            (message) => {
              if (message) state.take(channel, message)
              else repairLater(`${consumer} consumer cancelled by the broker`)
            },
            { noAck: false },
          )
          state.current = { channel, consumerTag }
          repairOnLoss(channel, `consume ${consumer}`)
          resolve()
        },
      })
      wrapper.on('error', (err: Error) => {
        log.error({ err, consumer }, 'bus consumer setup failed')
        reject(err)
      })
      try {
        // Waits for the broker if it is down: the consumer is running once this resolves.
        await ready
      } catch (error) {
        consumers.delete(consumer)
        await wrapper.close().catch(() => {})
        throw error
      }
    },

    deadLetters: createRabbitMqDeadLetters(openChannel),

    async check() {
      if (closing) throw closedError()
      if (!manager.isConnected()) {
        throw new AppError('unavailable', 'BUS.DISCONNECTED', 'not connected to RabbitMQ')
      }
    },

    close() {
      closing ??= (async () => {
        clearTimeout(repairTimer)
        for (const state of consumers.values()) {
          const current = state.current
          if (current && !closedChannels.has(current.channel)) {
            await current.channel.cancel(current.consumerTag).catch(() => {})
          }
        }
        // Deliveries already received are handled and acked before their channel closes.
        await Promise.all([...consumers.values()].map((s) => s.idle()))
        await manager.close()
        metrics.connected(false)
      })()
      return closing
    },
  }
}

function closedError(): AppError {
  return new AppError('unavailable', 'BUS.CLOSED', 'the bus is closed')
}
