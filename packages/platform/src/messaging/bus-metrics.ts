import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { observeWithTrace, withExemplars } from '../metrics.js'

export type HandledOutcome = 'ok' | 'retry' | 'dead_letter'

/** Per consumer: messages waiting in its queue, and in its dead-letter queue. */
export interface QueueDepth {
  consumer: string
  ready: number
  deadLetters: number
}

export interface BusMetrics {
  handled(consumer: string, type: string, outcome: HandledOutcome, seconds: number): void
  /** A batch of `size` deliveries applied together (or tried: see `fellBack`). */
  batch(consumer: string, size: number): void
  /** A batch whose transaction failed, applied again one by one. */
  fellBack(consumer: string): void
  connected(up: boolean): void
}

/**
 * The bus metrics of one service. Queue depths are read from the bus when Prometheus scrapes
 * (`depths`), so consumer lag is current without a polling loop; one read serves both gauges.
 */
export function createBusMetrics(
  registry: Registry | undefined,
  depths: () => Promise<QueueDepth[]>,
): BusMetrics {
  if (!registry) return { handled() {}, batch() {}, fellBack() {}, connected() {} }
  let read: { at: number; result: Promise<QueueDepth[]> } | undefined
  const readDepths = () => {
    // Both gauges are collected in the same scrape: share one round trip to the broker.
    if (!read || Date.now() - read.at > 1_000) {
      read = { at: Date.now(), result: depths().catch(() => []) }
    }
    return read.result
  }
  const handled = new Counter({
    name: 'bus_messages_handled_total',
    help: 'Messages handled by a consumer, by outcome (ok, retry scheduled, dead-lettered)',
    labelNames: ['consumer', 'type', 'outcome'] as const,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'bus_handler_duration_seconds',
    help: 'Time a consumer handler took, whatever its outcome',
    labelNames: ['consumer'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
    enableExemplars: withExemplars(registry),
  })
  const batchSize = new Histogram({
    name: 'bus_batch_size',
    help: 'Deliveries a consumer applied in one transaction',
    labelNames: ['consumer'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200],
    registers: [registry],
  })
  const fallbacks = new Counter({
    name: 'bus_batch_fallbacks_total',
    help: 'Batches whose transaction failed and whose deliveries were applied one by one',
    labelNames: ['consumer'] as const,
    registers: [registry],
  })
  const connected = new Gauge({
    name: 'bus_connected',
    help: '1 while the bus is connected to its broker',
    registers: [registry],
  })
  new Gauge({
    name: 'bus_queue_depth',
    help: 'Messages waiting in a consumer queue (consumer lag)',
    labelNames: ['consumer'] as const,
    registers: [registry],
    async collect() {
      this.reset()
      for (const d of await readDepths()) this.set({ consumer: d.consumer }, d.ready)
    },
  })
  new Gauge({
    name: 'bus_dead_letters',
    help: 'Messages in a consumer dead-letter queue, waiting for an operator',
    labelNames: ['consumer'] as const,
    registers: [registry],
    async collect() {
      this.reset()
      for (const d of await readDepths()) this.set({ consumer: d.consumer }, d.deadLetters)
    },
  })
  return {
    handled(consumer, type, outcome, seconds) {
      handled.inc({ consumer, type, outcome })
      observeWithTrace(duration, { consumer }, seconds)
    },
    batch(consumer, size) {
      batchSize.observe({ consumer }, size)
    },
    fellBack(consumer) {
      fallbacks.inc({ consumer })
    },
    connected(up) {
      connected.set(up ? 1 : 0)
    },
  }
}
