import {
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamManager,
} from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/nats-core'
import { connect } from '@nats-io/transport-node'
import { AppError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Registry } from '../metrics.js'
import { inTraceOf } from '../tracing.js'
import { defaultRetryPolicy, type EventBus, type RetryPolicy, type Subscription } from './bus.js'
import { createBusMetrics, type QueueDepth } from './bus-metrics.js'
import { createNatsConsumerIntake } from './nats-consumer.js'
import { createNatsDeadLetters, type NatsApi } from './nats-dead-letters.js'
import { publishHeaders } from './nats-message.js'
import { ensureConsumerTopology, ensureEventStream, natsNamesOf } from './nats-topology.js'

export interface NatsBusOptions {
  /** `nats://host:4222` (or `nats://user:pass@host:4222`) */
  url: string
  /**
   * Names the events stream (dots become underscores) and prefixes its subjects:
   * `<exchange>.<event type>`. Default `emporium.events`.
   */
  exchange?: string
  retry?: RetryPolicy
  /** Unacked deliveries the server lets a consumer hold (its `max_ack_pending`). Default 100. */
  prefetch?: number
  /** Most deliveries a batching consumer applies in one transaction. Default 50. */
  maxBatch?: number
  /**
   * How long a batching consumer waits for more deliveries after the first of a batch arrived
   * while it was idle (0, the default: none). For consumers whose effect nobody waits for.
   */
  batchLingerMs?: number
  /**
   * A delivery neither acked nor nakked within this is redelivered (a consumer that crashed or
   * hangs). Longer than any handler or batch runs. Default 60 s.
   */
  ackWaitMs?: number
  log: Logger
  registry?: Registry
  /** How long `publish` (and a dead-letter command) waits for the server, reconnects included. */
  publishTimeoutMs?: number
  /** Pause between connection attempts. */
  reconnectSeconds?: number
  /** Shown by the server's monitoring, to tell connections apart. */
  connectionName?: string
  /**
   * How long the events stream keeps an event (limits retention; default 7 days, the inbox's
   * retention): a consumer away for longer misses what is older.
   */
  streamMaxAgeMs?: number
}

interface ConsumerState {
  subscription: Subscription
  take(message: Parameters<ReturnType<typeof createNatsConsumerIntake>['take']>[0]): void
  idle(): Promise<void>
  messages?: ConsumerMessages
}

/**
 * The NATS JetStream adapter of the bus, with the RabbitMQ adapter's semantics: one file-stored
 * stream of events (limits retention: kept for `streamMaxAgeMs`), one durable pull consumer per
 * consuming service with explicit acks, retries as naks with the policy's delays, a dead-letter
 * stream per consumer.
 * A publish resolves once JetStream acknowledged it (stored); publishes are pipelined. The
 * client reconnects by itself; a pull consumer resumes, and what was delivered but not acked
 * is redelivered after the ack wait (the consumer's inbox drops duplicates).
 */
export function createNatsBus(options: NatsBusOptions): EventBus {
  const { log } = options
  const exchange = options.exchange ?? 'emporium.events'
  const names = natsNamesOf(exchange)
  const retry = options.retry ?? defaultRetryPolicy
  const prefetch = options.prefetch ?? 100
  const maxBatch = options.maxBatch ?? 50
  const ackWaitMs = options.ackWaitMs ?? 60_000
  const publishTimeoutMs = options.publishTimeoutMs ?? 10_000
  const reconnectMs = (options.reconnectSeconds ?? 2) * 1_000
  const consumers = new Map<string, ConsumerState>()
  const metrics = createBusMetrics(options.registry, depths)
  let closing: Promise<void> | undefined
  let nc: NatsConnection | undefined
  let api: NatsApi | undefined
  let up = false
  let streamReady: Promise<void> | undefined
  let retryTimer: NodeJS.Timeout | undefined
  let onConnected!: (api: NatsApi) => void
  let onClosed!: (error: Error) => void
  const connected = new Promise<NatsApi>((resolve, reject) => {
    onConnected = resolve
    onClosed = reject
  })
  connected.catch(() => {}) // only those who wait for it see the bus closed

  let warnedInterest = false

  /** The events stream, declared (idempotent); warns once when it keeps interest retention. */
  async function declareStream(jsm: JetStreamManager): Promise<void> {
    const retention = await ensureEventStream(jsm, names, options.streamMaxAgeMs)
    if (retention === 'interest' && !warnedInterest) {
      warnedInterest = true
      log.warn(
        { stream: names.stream },
        'the NATS events stream keeps interest retention, which this server cannot change: a server before 2.10 may skip acknowledged events after a restart; recreate the stream (docs/messaging.md)',
      )
    }
  }

  const { hostname, port, username, password } = new URL(options.url)
  const server = `${hostname}:${port || 4222}`

  function markUp(value: boolean): void {
    up = value
    metrics.connected(value)
  }

  /** Connects, retrying until it works or the bus closes; the client reconnects after that. */
  async function connectLoop(): Promise<void> {
    while (!closing) {
      try {
        const connection = await connect({
          servers: server,
          user: username ? decodeURIComponent(username) : undefined,
          pass: password ? decodeURIComponent(password) : undefined,
          name: options.connectionName ?? `emporium ${exchange}`,
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: reconnectMs,
          timeout: publishTimeoutMs,
        })
        if (closing) {
          await connection.close()
          return
        }
        nc = connection
        api = { js: jetstream(connection), jsm: await jetstreamManager(connection) }
        markUp(true)
        log.info({ exchange }, 'bus connected to NATS')
        void watchStatus(connection)
        onConnected(api)
        return
      } catch (err) {
        if (closing) return
        log.warn({ err }, 'bus cannot reach NATS; retrying')
        await new Promise((resolve) => (retryTimer = setTimeout(resolve, reconnectMs)))
      }
    }
  }

  async function watchStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        markUp(false)
        if (!closing) log.warn({ server }, 'bus lost its NATS connection; reconnecting')
      } else if (status.type === 'reconnect') {
        markUp(true)
        log.info({ exchange }, 'bus connected to NATS')
        void redeclare()
      }
    }
  }

  void connectLoop()

  /** Pulls the consumer's deliveries (a batch at a time, up to the prefetch) into its intake. */
  async function consume(nats: NatsApi, state: ConsumerState): Promise<void> {
    const pull = await nats.js.consumers.get(
      names.stream,
      names.durable(state.subscription.consumer),
    )
    state.messages = await pull.consume({
      max_messages: prefetch,
      callback: (message) => {
        // Arrived after close() began: straight back, for the next process.
        if (closing) message.nak()
        else state.take(message)
      },
    })
  }

  /**
   * After a reconnect, declares the stream and every consumer again (idempotent), as the
   * RabbitMQ adapter re-declares its topology: a server that came back without its store (no
   * persistent volume) has lost them.
   */
  async function redeclare(): Promise<void> {
    if (!api || closing) return
    const nats = api
    // Publishes wait for it: an event stored before its consumers exist again would be skipped
    // by them (a consumer declared anew starts with the events published after it).
    const lost = new Set<ConsumerState>()
    const declared = (async () => {
      await declareStream(nats.jsm)
      for (const state of consumers.values()) {
        const { consumer } = state.subscription
        const exists = await nats.jsm.consumers.info(names.stream, names.durable(consumer)).then(
          () => true,
          () => false,
        )
        if (!exists) lost.add(state)
        await ensureConsumerTopology(nats.jsm, names, {
          ...settingsOf(state.subscription),
          lost: !exists,
        })
      }
    })()
    const ready = declared.catch((error: unknown) => {
      streamReady = undefined
      throw error
    })
    ready.catch(() => {}) // a publish that awaits it sees the failure; nobody else must
    streamReady = ready
    try {
      await declared
    } catch (err) {
      log.warn({ err }, 'bus could not declare its NATS stream and consumers after a reconnect')
    }
    // A consumer the server kept goes on with its pulls (the client renews them); one it lost
    // is pulled anew, as the old pulls named a consumer that was gone.
    for (const state of lost) {
      if (closing) return
      const previous = state.messages
      if (!previous) continue // still subscribing: it starts pulling itself
      try {
        await consume(nats, state)
        await previous.close().catch(() => {})
      } catch (err) {
        const { consumer } = state.subscription
        log.warn({ err, consumer }, 'bus could not resume a NATS consumer after a reconnect')
      }
    }
  }

  function settingsOf(subscription: Subscription) {
    return {
      consumer: subscription.consumer,
      types: subscription.types,
      maxAckPending: prefetch,
      ackWaitMs,
      multipleFilters: serverAtLeast(nc?.info?.version, 2, 10),
    }
  }

  /** The JetStream API once connected, or BUS.DISCONNECTED after `publishTimeoutMs`. */
  async function ready(): Promise<NatsApi> {
    if (closing) throw closedError()
    if (api) return api
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AppError('unavailable', 'BUS.DISCONNECTED', 'NATS is not reachable')),
        publishTimeoutMs,
      )
    })
    try {
      return await Promise.race([connected, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  async function depths(): Promise<QueueDepth[]> {
    if (!api || !up || consumers.size === 0) return []
    const result: QueueDepth[] = []
    try {
      for (const consumer of consumers.keys()) {
        const info = await api.jsm.consumers.info(names.stream, names.durable(consumer))
        const dlq = await api.jsm.streams.info(names.dlqStream(consumer))
        result.push({ consumer, ready: info.num_pending, deadLetters: dlq.state.messages })
      }
    } catch (err) {
      log.debug({ err }, 'bus could not read consumer depths')
    }
    return result
  }

  async function publishBody(
    body: Uint8Array | string,
    event: Parameters<typeof publishHeaders>[0],
  ): Promise<void> {
    if (closing) throw closedError()
    try {
      const { js, jsm } = await ready()
      // Declared on first use (as the RabbitMQ adapter asserts its exchange), so the
      // dead-letter command declares nothing.
      streamReady ??= declareStream(jsm).catch((error: unknown) => {
        streamReady = undefined
        throw error
      })
      await streamReady
      // Not awaited one by one: many publishes wait for their acknowledgements at once.
      await inTraceOf(event.traceparent, () =>
        js.publish(names.subject(event.type), body, {
          headers: publishHeaders(event),
          timeout: publishTimeoutMs,
        }),
      )
    } catch (cause) {
      if (cause instanceof AppError && cause.code === 'BUS.CLOSED') throw cause
      const reason = cause instanceof Error ? cause.message : String(cause)
      throw new AppError(
        'unavailable',
        'BUS.PUBLISH_FAILED',
        `publish not acknowledged: ${reason}`,
        {
          cause,
        },
      )
    }
  }

  return {
    async publish(envelope) {
      await publishBody(JSON.stringify(envelope), envelope)
    },
    async publishSerialized(event) {
      await publishBody(event.body, event)
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
        ...createNatsConsumerIntake({
          subscription,
          names,
          retry,
          log,
          metrics,
          maxBatch,
          batchLingerMs: options.batchLingerMs,
          isClosing: () => closing !== undefined,
          async publishDeadLetter(subject, data, headers) {
            const { js } = await ready()
            await js.publish(subject, data, { headers, timeout: publishTimeoutMs })
          },
        }),
      }
      consumers.set(consumer, state)
      try {
        // Waits for the server if it is down: the consumer is running once this resolves.
        const nats = await connected
        await declareStream(nats.jsm)
        await ensureConsumerTopology(nats.jsm, names, settingsOf(subscription))
        if (closing) throw closedError()
        await consume(nats, state)
      } catch (error) {
        consumers.delete(consumer)
        log.error({ err: error, consumer }, 'bus consumer setup failed')
        throw error
      }
    },

    deadLetters: createNatsDeadLetters(ready, names, publishTimeoutMs),

    async check() {
      if (closing) throw closedError()
      if (!nc || !up || nc.isClosed()) {
        throw new AppError('unavailable', 'BUS.DISCONNECTED', 'not connected to NATS')
      }
    },

    close() {
      closing ??= (async () => {
        clearTimeout(retryTimer)
        onClosed(closedError())
        for (const state of consumers.values()) await state.messages?.close().catch(() => {})
        // Deliveries already received are handled and acked before the connection closes.
        await Promise.all([...consumers.values()].map((s) => s.idle()))
        if (nc && !nc.isClosed()) {
          // The acks are sent before closing (a flush waits for the server's pong).
          if (up) await nc.flush().catch(() => {})
          await nc.close()
        }
        markUp(false)
      })()
      return closing
    },
  }
}

function closedError(): AppError {
  return new AppError('unavailable', 'BUS.CLOSED', 'the bus is closed')
}

/** Whether the server's version (`2.9.10`) is at least `major.minor`. */
function serverAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const [a = 0, b = 0] = (version ?? '').split('.').map(Number)
  return a > major || (a === major && b >= minor)
}
