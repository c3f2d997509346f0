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

/** Staff acting: the verified caller's id and roles (the audit event's actor, issue 19). */
export interface StaffActor {
  userId: string
  roles: readonly string[]
}

/**
 * The audit event of a change, made by a store in the change's transaction from what it found
 * (`before`, undefined for a creation) and wrote (`after`, undefined for a deletion); undefined
 * when nothing is to be recorded.
 */
export type AuditOf<T> = (
  before: T | undefined,
  after: T | undefined,
) => AuditRecordedData | undefined

/** The fields of `before` and `after` whose values differ (as JSON), on each side. */
export function changedFields(
  before: object,
  after: object,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const was = before as Record<string, unknown>
  const now = after as Record<string, unknown>
  const changed = { before: {} as Record<string, unknown>, after: {} as Record<string, unknown> }
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    if (JSON.stringify(was[key]) === JSON.stringify(now[key])) continue
    changed.before[key] = was[key] ?? null
    changed.after[key] = now[key] ?? null
  }
  return changed
}

/**
 * How a staff change of an entity of `type` is audited: `<type>.created` (after: the whole entity
 * as `view` shows it), `<type>.<updated>` (the changed fields before and after; a change of
 * nothing records nothing), `<type>.deleted` (before: the whole entity). Without an actor (a
 * system path) nothing is recorded.
 */
export function auditOf<T extends { id: string }>(
  actor: StaffActor | undefined,
  type: string,
  at: Date,
  options: { view?: (entity: T) => object; updated?: string } = {},
): AuditOf<T> | undefined {
  if (!actor) return undefined
  const view = options.view ?? ((entity: T) => entity)
  return (before, after) => {
    const id = (after ?? before)?.id
    if (id === undefined) return undefined
    const entity = { type, id }
    if (!before) return auditRecorded(actor, `${type}.created`, entity, null, view(after!), at)
    if (!after) return auditRecorded(actor, `${type}.deleted`, entity, view(before), null, at)
    const changed = changedFields(view(before), view(after))
    if (Object.keys(changed.after).length === 0) return undefined
    const action = `${type}.${options.updated ?? 'updated'}`
    return auditRecorded(actor, action, entity, changed.before, changed.after, at)
  }
}
