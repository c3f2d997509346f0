import { sql, type Kysely } from 'kysely'

/**
 * Each payment keeps its card's fingerprint (issue 14). The card-testing limits counted a card's
 * declines and undecided payments by joining every payment method ever tokenized from that card
 * number: a card used for a thousand orders made each count read a thousand methods and their
 * payments (2 ms of PostgreSQL per charge in `bench:checkout`, where every shopper pays with the
 * same test card, and growing with each order). On the payment itself, with partial indexes on
 * the fingerprint, each count reads only the rows it counts.
 *
 * New payments get it from their method in the insert; the trigger fills it for rows written
 * without it (a replica still on the previous version during a rolling upgrade), and the update
 * below for the payments made before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('payments').addColumn('card_fingerprint', 'char(64)').execute()
  await sql`create function payments_card_fingerprint() returns trigger language plpgsql as $$
    begin
      select m.card_fingerprint into new.card_fingerprint
      from payment_methods m where m.id = new.payment_method_id;
      return new;
    end $$`.execute(db)
  await sql`create trigger payments_card_fingerprint before insert on payments
    for each row when (new.card_fingerprint is null)
    execute function payments_card_fingerprint()`.execute(db)
  await sql`update payments p set card_fingerprint = m.card_fingerprint
    from payment_methods m
    where m.id = p.payment_method_id and m.card_fingerprint is not null`.execute(db)
  await sql`create index payments_card_declines_idx on payments (card_fingerprint, updated_at desc)
    where state = 'declined'`.execute(db)
  await sql`create index payments_card_undecided_idx on payments (card_fingerprint, created_at)
    where state in ('pending', 'authorized')`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index payments_card_undecided_idx`.execute(db)
  await sql`drop index payments_card_declines_idx`.execute(db)
  await sql`drop trigger payments_card_fingerprint on payments`.execute(db)
  await sql`drop function payments_card_fingerprint()`.execute(db)
  await db.schema.alterTable('payments').dropColumn('card_fingerprint').execute()
}
