import type { EventEnvelope } from '@emporium/contracts'
import { context } from '@opentelemetry/api'
import { runWithContext } from '../context.js'
import type { Database } from '../db/database.js'
import { PermanentError } from '../errors.js'
import type { Logger } from '../log.js'
import { extractContext, inService, withSpan } from '../tracing.js'
import type { BatchOutcome, Delivery, Subscription } from './bus.js'
import type { EventHandler } from './consumer.js'
import { checkEventId, createInbox } from './inbox.js'

/**
 * Turns a service's event handlers into one bus subscription: each delivery runs in the trace
 * and correlation of the event that caused it, its data is validated against the contract, and
 * its effect commits together with the inbox row, so a redelivery has no second effect. A batch
 * of deliveries commits in one transaction: its inbox rows, then each handler's effect in
 * delivery order. Handlers cannot tell: each gets its event and that transaction.
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

  /** The handler and validated data of an event, `undefined` to skip it; throws when invalid. */
  function prepare(envelope: EventEnvelope): Prepared | undefined {
    const handler = byType.get(envelope.type)?.find((h) => h.event.version === envelope.version)
    if (!handler) {
      // A version this consumer does not know yet: producers publish new versions beside old.
      deps.log.warn(
        { eventId: envelope.id, type: envelope.type, version: envelope.version },
        'no handler for event version; skipped',
      )
      return undefined
    }
    const parsed = handler.event.parse(envelope)
    if (!parsed.ok)
      throw new PermanentError(
        `invalid ${envelope.type} v${envelope.version}: ${parsed.errors.join('; ')}`,
      )
    return { handler, data: parsed.data, envelope }
  }

  /** Runs `fn` in the trace and correlation of the event, as its own span. */
  function inContext<T>(envelope: EventEnvelope, delivery: Delivery, fn: () => Promise<T>) {
    const sent = envelope.traceparent
      ? extractContext({ traceparent: envelope.traceparent })
      : context.active()
    // The consumer is named after its service: the span is that service's.
    const parent = inService(sent, deps.consumer)
    return context.with(parent, () =>
      runWithContext(
        { requestId: envelope.id, correlationId: envelope.correlationId, causationId: envelope.id },
        () =>
          withSpan(
            `consume ${envelope.type}`,
            { 'messaging.consumer': deps.consumer, 'messaging.attempt': delivery.attempt },
            fn,
            { kind: 'consumer' },
          ),
      ),
    )
  }

  async function dispatch(envelope: EventEnvelope): Promise<void> {
    const prepared = prepare(envelope)
    if (!prepared) return
    const outcome = await inbox.handleOnce(envelope, (trx) =>
      prepared.handler.handle(prepared.data, { trx, envelope }),
    )
    if (outcome === 'duplicate') deps.log.debug({ eventId: envelope.id }, 'duplicate event skipped')
  }

  return {
    consumer: deps.consumer,
    types: [...byType.keys()],
    handle(envelope, delivery) {
      return inContext(envelope, delivery, () => dispatch(envelope))
    },

    async handleBatch(items) {
      const outcomes: BatchOutcome[] = items.map(() => ({ ok: true }))
      // Refused before the transaction, so an invalid message does not fail the others.
      const work: Array<Prepared & { delivery: Delivery }> = []
      const ids = new Set<string>()
      items.forEach(({ envelope, delivery }, i) => {
        try {
          const prepared = prepare(envelope)
          if (!prepared) return
          checkEventId(envelope.id)
          // A second copy in the same batch is a duplicate of the first.
          if (ids.has(envelope.id)) return
          ids.add(envelope.id)
          work.push({ ...prepared, delivery })
        } catch (error) {
          outcomes[i] = { ok: false, error }
        }
      })
      if (work.length === 0) return outcomes
      await deps.database.transaction(async (trx) => {
        const fresh = await inbox.claim(trx, [...ids])
        const todo = work.filter(({ envelope }) => {
          if (fresh.has(envelope.id)) return true
          deps.log.debug({ eventId: envelope.id }, 'duplicate event skipped')
          return false
        })
        // In delivery order: a later event of an aggregate sees the effect of an earlier one. A
        // handler with `handleMany` gets each run of consecutive events of its type at once.
        for (let i = 0; i < todo.length;) {
          const { handler, data, envelope, delivery } = todo[i]!
          const many = handler.handleMany
          if (!many) {
            await inContext(envelope, delivery, () => handler.handle(data, { trx, envelope }))
            i++
            continue
          }
          let end = i + 1
          while (end < todo.length && todo[end]!.handler === handler) end++
          const run = todo
            .slice(i, end)
            .map((item) => ({ data: item.data, envelope: item.envelope }))
          // The run's span joins the trace of its first event.
          await inContext(envelope, delivery, () => many.call(handler, run, { trx }))
          i = end
        }
      })
      return outcomes
    },
  }
}

interface Prepared {
  handler: EventHandler
  data: unknown
  envelope: EventEnvelope
}
