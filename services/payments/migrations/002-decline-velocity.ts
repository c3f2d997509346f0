import { sql, type Kysely } from 'kysely'

/**
 * Velocity limits on declines (card testing): each tokenized card keeps a keyed hash of its
 * number, so the declines of one card are counted across users and tokenizations; the indexes
 * serve the two counts (a user's recent declines, a fingerprint's payments).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('payment_methods').addColumn('card_fingerprint', 'char(64)').execute()
  await sql`create index payment_methods_fingerprint_idx on payment_methods (card_fingerprint) where card_fingerprint is not null`.execute(
    db,
  )
  await sql`create index payments_method_idx on payments (payment_method_id)`.execute(db)
  await sql`create index payments_user_declines_idx on payments (user_id, updated_at desc) where state = 'declined'`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index payments_user_declines_idx`.execute(db)
  await sql`drop index payments_method_idx`.execute(db)
  await sql`drop index payment_methods_fingerprint_idx`.execute(db)
  await db.schema.alterTable('payment_methods').dropColumn('card_fingerprint').execute()
}
