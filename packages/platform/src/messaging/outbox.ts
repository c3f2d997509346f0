import { randomUUID } from 'node:crypto'
import type { Transaction } from 'kysely'
import { EventEnvelope, validatorOf, type EventDefinition } from '@emporium/contracts'
import { currentContext } from '../context.js'
import { AppError } from '../errors.js'
import { currentTraceparent } from '../tracing.js'
import { deferWrite } from '../db/commit-signal.js'
import type { PlatformTables } from '../db/platform-migrations.js'
import type { SerializedEvent } from './bus.js'

export interface OutboxDeps {
  /** The service that publishes the events (the envelope's `source`). */
  source: string
  /** W3C trace context to stamp on events; defaults to the active span's, so a trace continues across the broker. */
  traceparent?: () => string | undefined
  /** Clock for `occurredAt`; tests pin it. */
  now?: () => Date
}

export interface EventMeta {
  correlationId?: string
  causationId?: string | null
  /** A deterministic id, for a producer that must not emit the same fact twice. */
  id?: string
}

export interface Outbox {
  /**
   * Writes an event in the caller's transaction; the relay publishes it after commit, so the
   * event exists exactly when the state change does. The row goes with the transaction's next
   * statement or its commit (`deferWrite`). Throws (publishing nothing) when `data`
   * does not match the definition's schema.
   */
  add<DB, D>(
    trx: Transaction<DB>,
    definition: EventDefinition<string, D>,
    data: D,
    meta?: EventMeta,
  ): Promise<EventEnvelope<D>>
}

export function createOutbox(deps: OutboxDeps): Outbox {
  const now = deps.now ?? (() => new Date())
  return {
    async add(trx, definition, data, meta = {}) {
      // Outside a transaction the event could commit without its state change, or vice versa.
      if (!trx.isTransaction) {
        throw new AppError(
          'internal',
          'PLATFORM.OUTBOX_OUTSIDE_TRANSACTION',
          'outbox.add needs a transaction',
        )
      }
      const context = currentContext()
      const id = meta.id ?? randomUUID()
      const occurredAt = now()
      const traceparent = (deps.traceparent ?? currentTraceparent)()
      const envelope: EventEnvelope<typeof data> = {
        id,
        type: definition.type,
        version: definition.version,
        occurredAt: occurredAt.toISOString(),
        source: deps.source,
        correlationId: meta.correlationId ?? context?.correlationId ?? id,
        // An HTTP request has no causing event; its request id is the cause then.
        causationId: meta.causationId ?? context?.causationId ?? context?.requestId ?? null,
        ...(traceparent ? { traceparent } : {}),
        data,
      }
      const parsed = definition.parse(envelope)
      const envelopeRules = validatorOf(EventEnvelope)
      const errors =
        parsed.ok && !envelopeRules.Check(envelope) ? envelopeRules.Errors(envelope) : []
      if (!parsed.ok || errors.length > 0) {
        const problems = parsed.ok
          ? errors.map((e) => `${e.instancePath || '/'} ${e.message}`)
          : parsed.errors
        throw new AppError(
          'internal',
          'PLATFORM.INVALID_EVENT',
          `refusing to write an invalid ${definition.type} v${definition.version} event: ${problems.join('; ')}`,
          { details: { problems } },
        )
      }
      const insert = (trx as unknown as Transaction<PlatformTables>)
        .insertInto('outbox')
        .values({
          id,
          type: definition.type,
          version: definition.version,
          payload: JSON.stringify(envelope),
          created_at: occurredAt,
          sent_at: null,
        })
        .compile()
      // Written with the commit (one round trip for the row and the commit on PostgreSQL; an
      // insert that fails fails the transaction there); the relay hears of the commit and
      // publishes at once (it polls only as a fallback).
      await deferWrite(trx, insert, { signal: true })
      return envelope
    },
  }
}

/**
 * A stored event as the bus publishes it, its JSON passed through untouched. The fields the
 * broker's message properties repeat are read from the envelope's head alone: `add` writes
 * `data` last, and `,"data":` cannot occur inside an earlier string value (its `"` would be
 * escaped). A payload written otherwise is parsed whole; one that is not JSON still goes out
 * (the consumer dead-letters it) rather than holding the relay back forever.
 */
export function storedEvent(row: { id: string; type: string; payload: string }): SerializedEvent {
  const { id, type, payload } = row
  const end = payload.indexOf(',"data":')
  let head = end > 0 ? parseObject(`${payload.slice(0, end)}}`) : undefined
  if (head?.id !== id) head = parseObject(payload)
  return {
    id,
    type,
    body: payload,
    correlationId: stringOf(head?.correlationId),
    source: stringOf(head?.source),
    traceparent: stringOf(head?.traceparent),
  }
}

function parseObject(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json)
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

const stringOf = (value: unknown) => (typeof value === 'string' ? value : undefined)
