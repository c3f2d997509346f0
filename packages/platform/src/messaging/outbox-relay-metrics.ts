import type { Logger } from 'pino'
import { Counter, Gauge, type Registry } from 'prom-client'
import type { OutboxBacklog } from './outbox-backlog.js'

export interface RelayMetrics {
  published: Counter
  failures: Counter
}

/**
 * The relay's metrics on the service's registry. The backlog gauges query the database when
 * scraped, so they are right even while the relay is stuck; one query serves both per scrape.
 * Registering again (a service rebuilt in tests) keeps the counters and rebinds the gauges.
 */
export function registerRelayMetrics(
  registry: Registry,
  backlog: () => Promise<OutboxBacklog>,
  log: Logger,
): RelayMetrics {
  let pending: Promise<OutboxBacklog> | undefined
  const scrape = () => {
    pending ??= backlog().finally(() => {
      pending = undefined
    })
    return pending
  }
  const gauge = (name: string, help: string, pick: (b: OutboxBacklog) => number) => {
    registry.removeSingleMetric(name)
    return new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        try {
          this.set(pick(await scrape()))
        } catch (error) {
          // A failing scrape would hide every other metric; keep the last value and say why.
          log.warn({ err: error }, `cannot compute ${name}`)
        }
      },
    })
  }
  gauge('outbox_backlog_events', 'Events in the outbox not yet published.', (b) => b.count)
  gauge(
    'outbox_oldest_unsent_age_seconds',
    'Age of the oldest unpublished event in the outbox (0 when none).',
    (b) => b.oldestAgeSeconds,
  )
  const counter = (name: string, help: string) =>
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, registers: [registry] })
  return {
    published: counter('outbox_published_total', 'Events published from the outbox and confirmed.'),
    failures: counter('outbox_publish_failures_total', 'Outbox publish attempts that failed.'),
  }
}
