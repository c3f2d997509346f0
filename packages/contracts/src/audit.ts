import Type from 'typebox'
import { defineEvent } from './events.js'

/** Who did a staff action: the verified caller's id and roles at the time. */
export const AuditActor = Type.Object({
  userId: Type.String({ minLength: 1, maxLength: 128 }),
  roles: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 }),
})
export type AuditActor = Type.Static<typeof AuditActor>

/** What a staff action changed: `{type: 'product', id}`, `{type: 'order', id}`, … */
export const AuditEntity = Type.Object({
  type: Type.String({ minLength: 1, maxLength: 64 }),
  id: Type.String({ minLength: 1, maxLength: 128 }),
})
export type AuditEntity = Type.Static<typeof AuditEntity>

/** Data of `audit.recorded` v1. */
export const AuditRecordedData = Type.Object({
  actor: AuditActor,
  /** `<entity>.<what>`, e.g. `product.price-changed`, `order.note-added`, `staff.roles-changed`. */
  action: Type.String({ pattern: '^[a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*$', maxLength: 128 }),
  entity: AuditEntity,
  /** The changed fields before the action (null for a creation). */
  before: Type.Union([Type.Unknown(), Type.Null()]),
  /** The changed fields after the action (null for a deletion). */
  after: Type.Union([Type.Unknown(), Type.Null()]),
  /** When the action took effect, RFC 3339 UTC. */
  at: Type.String({ format: 'date-time' }),
})
export type AuditRecordedData = Type.Static<typeof AuditRecordedData>

/**
 * A staff action took effect (issue 19). Published by the service that made the change, through
 * its outbox in the change's own transaction; the reporting service keeps the trail, append-only.
 */
export const AuditRecorded = defineEvent('audit.recorded', 1, AuditRecordedData)

/** The data of an `audit.recorded` event for a change made now. */
export function auditRecorded(
  actor: { userId: string; roles: readonly string[] },
  action: string,
  entity: AuditEntity,
  before: unknown,
  after: unknown,
  at: Date = new Date(),
): AuditRecordedData {
  return {
    actor: { userId: actor.userId, roles: [...actor.roles] },
    action,
    entity,
    before: before ?? null,
    after: after ?? null,
    at: at.toISOString(),
  }
}
