import type { EventEnvelope } from '@emporium/contracts'
import { context } from '@opentelemetry/api'
import { runWithContext } from '../context.js'
import type { Database } from '../db/database.js'
import { PermanentError } from '../errors.js'
import type { Logger } from '../log.js'
import { extractContext, withSpan } from '../tracing.js'
import type { Subscription } from './bus.js'
import type { EventHandler } from './consumer.js'
import { createInbox } from './inbox.js'

/**
 * Turns a service's event handlers into one bus subscription: each delivery runs in the trace
 * and correlation of the event that caused it, its data is validated against the contract, and
 * its effect commits together with the inbox row, so a redelivery has no second effect.
 */
export function createConsumerSubscription(deps: {
  consumer: string
  handlers: readonly EventHandler[]
  database: Database
  log: Logger
}): Subscription {
  const byType = new Map<string, EventHandler[]>()
  for (const handler of deps.handlers) {
    const list = byType.get(handler.event.type) ?? []
    list.push(handler)
    byType.set(handler.event.type, list)
  }
  const inbox = createInbox({ database: deps.database, consumer: deps.consumer })

  async function dispatch(envelope: EventEnvelope): Promise<void> {
    const handler = byType.get(envelope.type)?.find((h) => h.event.version === envelope.version)
    if (!handler) {
      // A version this consumer does not know yet: producers publish new versions beside old.
      deps.log.warn(
        { eventId: envelope.id, type: envelope.type, version: envelope.version },
        'no handler for event version; skipped',
      )
      return
    }
    const parsed = handler.event.parse(envelope)
    if (!parsed.ok)
      throw new PermanentError(
        `invalid ${envelope.type} v${envelope.version}: ${parsed.errors.join('; ')}`,
      )
    const outcome = await inbox.handleOnce(envelope, (trx) =>
      handler.handle(parsed.data, { trx, envelope }),
    )
    if (outcome === 'duplicate') deps.log.debug({ eventId: envelope.id }, 'duplicate event skipped')
  }

  return {
    consumer: deps.consumer,
    types: [...byType.keys()],
    handle(envelope, delivery) {
      const parent = envelope.traceparent
        ? extractContext({ traceparent: envelope.traceparent })
        : context.active()
      return context.with(parent, () =>
        runWithContext(
          {
            requestId: envelope.id,
            correlationId: envelope.correlationId,
            causationId: envelope.id,
          },
          () =>
            withSpan(
              `consume ${envelope.type}`,
              { 'messaging.consumer': deps.consumer, 'messaging.attempt': delivery.attempt },
              () => dispatch(envelope),
            ),
        ),
      )
    },
  }
}
