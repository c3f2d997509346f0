import { audit } from '@emporium/contracts'

/** Staff acting: the verified caller's id and roles (the audit event's actor, issue 19). */
export interface Actor {
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
) => audit.AuditRecordedData | undefined

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
  actor: Actor | undefined,
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
    if (!before)
      return audit.auditRecorded(actor, `${type}.created`, entity, null, view(after!), at)
    if (!after) return audit.auditRecorded(actor, `${type}.deleted`, entity, view(before), null, at)
    const changed = changedFields(view(before), view(after))
    if (Object.keys(changed.after).length === 0) return undefined
    const action = `${type}.${options.updated ?? 'updated'}`
    return audit.auditRecorded(actor, action, entity, changed.before, changed.after, at)
  }
}
