import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
} from '@nats-io/jetstream'
import { nanos } from '@nats-io/nats-core'

/** A subject token or a stream/consumer name: no dots, wildcards or white space. */
function token(name: string): string {
  return name.replace(/[.*>\s/\\]/g, '_')
}

/**
 * Names on the server for one exchange (the bus's `exchange` option, `emporium.events` by
 * default): one stream takes every event, at `<exchange>.<type>`; each consumer has a durable
 * consumer of that stream named after it, a subject of its own for replayed dead letters, and a
 * dead-letter stream of its own.
 */
export function natsNamesOf(exchange: string) {
  return {
    stream: token(exchange),
    subjects: `${exchange}.>`,
    subject: (type: string) => `${exchange}.${type}`,
    /** Replayed dead letters go back to their one consumer only, through this subject. */
    replaySubject: (consumer: string) => `${exchange}._replay.${token(consumer)}`,
    durable: (consumer: string) => token(consumer),
    dlqStream: (consumer: string) => `${token(exchange)}_dlq_${token(consumer)}`,
    dlqSubject: (consumer: string) => `dlq.${exchange}.${token(consumer)}`,
  }
}

export type NatsNames = ReturnType<typeof natsNamesOf>

// JetStream API error: a stream of that name exists with another configuration.
const streamNameInUse = 10058

async function ensureStream(
  jsm: JetStreamManager,
  config: Parameters<JetStreamManager['streams']['add']>[0],
): Promise<void> {
  try {
    await jsm.streams.add(config)
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== streamNameInUse) throw error
    // Declared before with other settings (another version of the bus): keep it as it is.
  }
}

/** How long the events stream keeps an event by default: the inbox's 7 days (docs/messaging.md). */
export const defaultEventMaxAgeMs = 7 * 24 * 60 * 60 * 1_000

/**
 * The events stream: file storage and limits retention, every event kept for `maxAgeMs` (the
 * oldest go first), whoever acked it. Each durable consumer keeps its own ack floor, so this
 * delivers what interest retention did; what it adds is the stream's own record of its last
 * sequence. With interest retention (an event deleted once every consumer acked it), Debian's
 * nats-server 2.9.10 came back from a stop amid publishes and acks at an older last sequence
 * and gave the next events sequences the consumers had passed: acknowledged events were never
 * delivered (nats-bus.int.test.ts, "a server restarted while events flow").
 *
 * Idempotent; a stream that exists is left as it is, but for one declared by an older version of
 * the bus with interest retention, changed to limits where the server allows it (2.10 and
 * later): resolves `interest` when it refused, for the bus to warn.
 */
export async function ensureEventStream(
  jsm: JetStreamManager,
  names: NatsNames,
  maxAgeMs = defaultEventMaxAgeMs,
): Promise<'limits' | 'interest'> {
  const settings = {
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(maxAgeMs),
  }
  try {
    await jsm.streams.add({
      name: names.stream,
      subjects: [names.subjects],
      storage: StorageType.File,
      num_replicas: 1,
      ...settings,
    })
    return 'limits'
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== streamNameInUse) throw error
  }
  // Declared before: kept as it is (its limits are the operator's to tune), unless it is an older
  // version of the bus's, with interest retention.
  const { config } = await jsm.streams.info(names.stream)
  if (config.retention !== RetentionPolicy.Interest) return 'limits'
  try {
    await jsm.streams.update(names.stream, settings)
    return 'limits'
  } catch (error) {
    if (!(error instanceof JetStreamApiError)) throw error
    return 'interest'
  }
}

export interface NatsConsumerSettings {
  consumer: string
  types: readonly string[]
  /** Unacked deliveries the server lets the consumer hold. */
  maxAckPending: number
  /** A delivery not acked (nor nakked) within this is redelivered: a crashed consumer's. */
  ackWaitMs: number
  /**
   * The server filters by several subjects (2.10 and later). Older servers take one filter:
   * the consumer then reads the whole stream and acks what it does not handle unhandled.
   */
  multipleFilters: boolean
  /**
   * Declared again after the server lost it: it reads the stream from its first event (the
   * inbox drops what the consumer applied already) instead of the events published from now on.
   */
  lost?: boolean
}

/**
 * A consumer's durable pull consumer and its dead-letter stream. Redelivery is driven by the
 * bus (a nak with the retry policy's delay), so the server's own limit is off (`max_deliver`
 * -1). A new durable starts with events published from now on, as a new RabbitMQ queue does;
 * one the server lost (`lost`) starts with the first the stream keeps, which holds every event
 * for `streamMaxAgeMs` (the inbox keeps its rows longer than that: nothing is applied twice).
 */
export async function ensureConsumerTopology(
  jsm: JetStreamManager,
  names: NatsNames,
  settings: NatsConsumerSettings,
): Promise<void> {
  const { consumer } = settings
  await ensureStream(jsm, {
    name: names.dlqStream(consumer),
    subjects: [names.dlqSubject(consumer)],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: 1,
  })
  const filters = [...settings.types.map(names.subject), names.replaySubject(consumer)]
  const updatable: Partial<ConsumerConfig> = {
    ack_wait: nanos(settings.ackWaitMs),
    max_ack_pending: settings.maxAckPending,
    max_deliver: -1,
    ...(settings.multipleFilters ? { filter_subjects: filters } : {}),
  }
  try {
    await jsm.consumers.add(names.stream, {
      ...updatable,
      durable_name: names.durable(consumer),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: settings.lost ? DeliverPolicy.All : DeliverPolicy.New,
    })
  } catch (error) {
    if (!(error instanceof JetStreamApiError)) throw error
    // It exists with other settings (types or limits changed since): update what may change.
    await jsm.consumers.update(names.stream, names.durable(consumer), updatable)
  }
}
