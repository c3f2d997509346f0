import type { Transaction } from 'kysely'
import { audit } from '@emporium/contracts'
import type { Outbox } from '@emporium/platform'
import type { AuditOf } from '@emporium/contracts'

/** Writes the change's audit event, if it has one, to the outbox in its transaction (issue 19). */
export async function recordChange<DB, T>(
  outbox: Outbox,
  trx: Transaction<DB>,
  record: AuditOf<T> | undefined,
  before: T | undefined,
  after: T | undefined,
): Promise<void> {
  const data = record?.(before, after)
  if (data) await outbox.add(trx, audit.AuditRecorded, data)
}
