import { sql, type Kysely } from 'kysely'

/**
 * The back office (issue 19):
 * - `number`: a human order number from a sequence starting at 1001, unique; existing orders are
 *   numbered by creation time (oldest first), and the sequence goes on after the highest.
 * - `customer_email`: the e-mail of the order's customer (a guest's `email`, an account's from
 *   orders' copy of the users service's `user.registered`), lower-cased, for the staff's search.
 *   Guests' orders from before take their `email`; accounts' orders stay null until that
 *   account's `user.registered` is heard (the consumer fills them then).
 * - `cancellation_note`: the staff's free-text note of a cancellation.
 * - `order_notes`: staff's internal notes of an order, never shown to the shopper.
 * - `customers`: orders' copy of accounts' e-mail addresses, from `user.registered`.
 * - indexes for the search's filters, each ending in the keyset order (created_at, id).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create sequence orders_number_seq start with 1001 minvalue 1001`.execute(db)
  await db.schema
    .alterTable('orders')
    .addColumn('number', 'bigint')
    .addColumn('customer_email', 'varchar(254)')
    .addColumn('cancellation_note', 'varchar(1000)')
    .execute()
  await sql`
    update orders set number = numbered.n
    from (select id, 1000 + row_number() over (order by created_at, id) as n from orders) numbered
    where orders.id = numbered.id`.execute(db)
  await sql`select setval('orders_number_seq', coalesce((select max(number) from orders), 1000) + 1, false)`.execute(
    db,
  )
  await sql`alter table orders alter column number set default nextval('orders_number_seq')`.execute(
    db,
  )
  await sql`alter table orders alter column number set not null`.execute(db)
  await sql`create unique index orders_number_uq on orders (number)`.execute(db)
  await sql`update orders set customer_email = lower(email) where email is not null`.execute(db)
  // The search's filters: e-mail (exact or prefix, lower-cased), status, total.
  await sql`create index orders_customer_email_idx on orders (customer_email varchar_pattern_ops, created_at desc, id desc)`.execute(
    db,
  )
  await sql`create index orders_status_newest_idx on orders (status, created_at desc, id desc)`.execute(
    db,
  )
  await sql`create index orders_total_idx on orders (total_amount)`.execute(db)

  await db.schema
    .createTable('order_notes')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull().references('orders.id'))
    .addColumn('author_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('text', 'varchar(2000)', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
  await sql`create index order_notes_order_idx on order_notes (order_id, created_at, id)`.execute(
    db,
  )

  await db.schema
    .createTable('customers')
    .addColumn('user_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('email', 'varchar(254)', (c) => c.notNull())
    .addColumn('registered_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('customers').execute()
  await db.schema.dropTable('order_notes').execute()
  await sql`drop index orders_total_idx`.execute(db)
  await sql`drop index orders_status_newest_idx`.execute(db)
  await sql`drop index orders_customer_email_idx`.execute(db)
  await sql`drop index orders_number_uq`.execute(db)
  await db.schema
    .alterTable('orders')
    .dropColumn('number')
    .dropColumn('customer_email')
    .dropColumn('cancellation_note')
    .execute()
  await sql`drop sequence orders_number_seq`.execute(db)
}
