import { sql, type Kysely } from 'kysely'

/**
 * The reporting service's tables (PostgreSQL and PGlite alike): facts as the events told them,
 * each written once (keyed by what makes it unique), so that figures are sums over them
 * whatever order the events arrived in.
 * - reporting_order_events: every event that names an order, as received (the timeline);
 * - reporting_orders, reporting_order_lines: each order placed (its total, lines, owner) and
 *   when it was confirmed or cancelled;
 * - reporting_payments: captures and refunds (one row per capture, one per refund);
 * - audit_trail: staff actions, append-only (a trigger refuses UPDATE, DELETE and TRUNCATE).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reporting_order_events')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('event_id', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('type', 'varchar(128)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('source', 'varchar(64)', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .execute()
  await sql`create index reporting_order_events_order_idx
    on reporting_order_events (order_id, occurred_at, seq)`.execute(db)

  await db.schema
    .createTable('reporting_orders')
    .addColumn('order_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('currency', 'char(3)')
    .addColumn('total', 'bigint')
    .addColumn('placed_at', 'timestamptz(3)')
    .addColumn('placed_day', 'char(10)')
    .addColumn('confirmed_at', 'timestamptz(3)')
    .addColumn('confirmed_day', 'char(10)')
    .addColumn('cancelled_at', 'timestamptz(3)')
    .execute()
  await sql`create index reporting_orders_placed_idx on reporting_orders (placed_day)`.execute(db)
  await sql`create index reporting_orders_confirmed_idx
    on reporting_orders (confirmed_day)`.execute(db)

  await db.schema
    .createTable('reporting_order_lines')
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('product_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('variant_id', 'varchar(64)')
    .addColumn('name', 'varchar(500)', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('unit_price', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addPrimaryKeyConstraint('reporting_order_lines_pk', ['order_id', 'position'])
    .execute()

  await db.schema
    .createTable('reporting_payments')
    // `capture:<paymentId>` or `refund:<refundId, or paymentId for a whole refund>`.
    .addColumn('key', 'varchar(160)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(10)', (c) => c.notNull())
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('day', 'char(10)', (c) => c.notNull())
    .addCheckConstraint('reporting_payments_kind_ck', sql`kind in ('capture', 'refund')`)
    .execute()
  await sql`create index reporting_payments_day_idx on reporting_payments (day, kind)`.execute(db)
  await sql`create index reporting_payments_user_idx on reporting_payments (user_id)`.execute(db)

  await db.schema
    .createTable('audit_trail')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('actor_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('actor_roles', 'jsonb', (c) => c.notNull())
    .addColumn('action', 'varchar(128)', (c) => c.notNull())
    .addColumn('entity_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('entity_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('source', 'varchar(64)', (c) => c.notNull())
    .execute()
  await sql`create index audit_trail_at_idx on audit_trail (at desc, id desc)`.execute(db)
  await sql`create index audit_trail_actor_idx on audit_trail (actor_id, at desc)`.execute(db)
  await sql`create index audit_trail_entity_idx
    on audit_trail (entity_type, entity_id, at desc)`.execute(db)
  await sql`create index audit_trail_action_idx on audit_trail (action, at desc)`.execute(db)
  // Append-only, whoever connects: the database itself refuses to change or remove a row.
  await sql`create function audit_trail_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_trail is append-only: % refused', tg_op
        using errcode = 'insufficient_privilege';
    end
  $$`.execute(db)
  await sql`create trigger audit_trail_no_change before update or delete on audit_trail
    for each row execute function audit_trail_append_only()`.execute(db)
  await sql`create trigger audit_trail_no_truncate before truncate on audit_trail
    for each statement execute function audit_trail_append_only()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'audit_trail',
    'reporting_payments',
    'reporting_order_lines',
    'reporting_orders',
    'reporting_order_events',
  ]) {
    await db.schema.dropTable(table).ifExists().execute()
  }
  await sql`drop function if exists audit_trail_append_only()`.execute(db)
}
