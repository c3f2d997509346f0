import type { Kysely } from 'kysely'

/**
 * How many times the processor has claimed each payment (issue 14). The processor now calls
 * the provider's authorize and capture back to back and records both in one transaction, so a
 * payment still `pending` may have been captured by a processor that died before its commit. A
 * pending payment claimed before (`claims` > 1 at its claim) whose order was cancelled meanwhile
 * asks the provider again, with the same idempotency key, instead of being declined unasked.
 * Counted by the claim's own statement: no transaction more.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('payments')
    .addColumn('claims', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('payments').dropColumn('claims').execute()
}
