import Type from 'typebox'
import { validatorOf } from './validators.js'

/**
 * The envelope every domain event travels in, on any bus. A consumer validates `data` against
 * the schema of the `(type, version)` it subscribed to and ignores fields it does not know.
 */
export const EventEnvelope = Type.Object({
  /** Unique id of this event; consumers de-duplicate on it (inbox). */
  id: Type.String({ minLength: 1, maxLength: 64 }),
  /** `<aggregate>.<past-tense-verb>`, e.g. `order.placed`; also the routing key. */
  type: Type.String({ pattern: '^[a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*$' }),
  /** Schema version of `data`; a breaking change publishes a new version beside the old. */
  version: Type.Integer({ minimum: 1 }),
  /** When the state change happened, RFC 3339 UTC. */
  occurredAt: Type.String({ format: 'date-time' }),
  /** The service that published the event (only it publishes this type). */
  source: Type.String({ minLength: 1 }),
  /** Id shared by every request and event of one business flow (e.g. one checkout). */
  correlationId: Type.String({ minLength: 1 }),
  /** Id of the event or request that directly caused this one, if any. */
  causationId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** W3C trace context of the producer, so a trace continues across the broker. */
  traceparent: Type.Optional(Type.String()),
  /** The payload; its shape is fixed by `(type, version)`. */
  data: Type.Unknown(),
})
export type EventEnvelope<D = unknown> = Omit<Type.Static<typeof EventEnvelope>, 'data'> & {
  data: D
}

/** A versioned event contract: the one declaration of an event type. */
export interface EventDefinition<T extends string = string, D = unknown> {
  readonly type: T
  readonly version: number
  readonly schema: Type.TSchema
  /** Checks a received envelope's `data`; returns it typed, or the list of problems. */
  parse(envelope: EventEnvelope): { ok: true; data: D } | { ok: false; errors: string[] }
}

/** The `data` of an event contract: `EventData<typeof orders.OrderPlaced>`. */
export type EventData<E> = E extends EventDefinition<string, infer D> ? D : never

export function defineEvent<T extends string, S extends Type.TSchema>(
  type: T,
  version: number,
  schema: S,
): EventDefinition<T, Type.Static<S>> {
  return {
    type,
    version,
    schema,
    parse(envelope) {
      if (envelope.type !== type || envelope.version !== version) {
        return {
          ok: false,
          errors: [`expected ${type} v${version}, got ${envelope.type} v${envelope.version}`],
        }
      }
      // Clean a copy: consumers tolerate unknown fields but must not act on them.
      const validator = validatorOf(schema)
      if (validator.Check(envelope.data)) return { ok: true, data: envelope.data as Type.Static<S> }
      const errors = validator
        .Errors(envelope.data)
        .map((e) => `${e.instancePath || '/'} ${e.message}`)
      return { ok: false, errors }
    },
  }
}
