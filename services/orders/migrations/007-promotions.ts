import { sql, type Kysely } from 'kysely'

/**
 * Promotion codes (issue 18), in orders' database because a use is reserved, spent and given
 * back in the same transaction as the order's status change.
 * - `promotions`: one row per code, stored upper-case (so unique case-insensitively); a
 *   `percentage` (1..100 %) or a `fixed` amount in one currency, an optional minimum subtotal,
 *   validity window, total and per-customer limits. Never deleted: an admin deactivates it.
 * - `promotion_uses`: at most one per order (`order_id` is the key), `reserved` at placement,
 *   `spent` at confirmation, `released` at cancellation. The limits count `reserved` + `spent`;
 *   a reservation locks its promotion's row, so the counts are exact under concurrency.
 *   `discount_amount` is what the order got, so a repeated reservation answers the same.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('promotions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('code', 'varchar(32)', (c) =>
      c
        .notNull()
        .unique()
        .check(sql`code = upper(code)`),
    )
    .addColumn('kind', 'varchar(16)', (c) =>
      c.notNull().check(sql`kind in ('percentage', 'fixed')`),
    )
    .addColumn('percent', 'integer')
    .addColumn('amount', 'bigint')
    .addColumn('currency', 'char(3)')
    .addColumn('min_subtotal_amount', 'bigint', (c) => c.check(sql`min_subtotal_amount >= 0`))
    .addColumn('min_subtotal_currency', 'char(3)')
    .addColumn('starts_at', 'timestamptz(3)')
    .addColumn('ends_at', 'timestamptz(3)')
    .addColumn('usage_limit', 'integer', (c) => c.check(sql`usage_limit > 0`))
    .addColumn('per_customer_limit', 'integer', (c) => c.check(sql`per_customer_limit > 0`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .addCheckConstraint(
      'promotions_offer_ck',
      sql`(kind = 'percentage' and percent between 1 and 100 and amount is null and currency is null)
        or (kind = 'fixed' and percent is null and amount > 0 and currency is not null)`,
    )
    .addCheckConstraint(
      'promotions_min_subtotal_ck',
      sql`(min_subtotal_amount is null) = (min_subtotal_currency is null)`,
    )
    .addCheckConstraint(
      'promotions_window_ck',
      sql`starts_at is null or ends_at is null or starts_at < ends_at`,
    )
    .execute()
  // The admin list, newest first.
  await sql`create index promotions_newest_idx on promotions (created_at desc, id desc)`.execute(db)

  await db.schema
    .createTable('promotion_uses')
    .addColumn('order_id', 'text', (c) => c.primaryKey())
    .addColumn('promotion_id', 'uuid', (c) => c.notNull().references('promotions.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) =>
      c.notNull().check(sql`status in ('reserved', 'spent', 'released')`),
    )
    .addColumn('discount_amount', 'bigint', (c) => c.notNull().check(sql`discount_amount >= 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
  // The limits' counts: a promotion's uses held, in all and per customer.
  await sql`create index promotion_uses_held_idx on promotion_uses (promotion_id, customer_id) where status in ('reserved', 'spent')`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('promotion_uses').execute()
  await db.schema.dropTable('promotions').execute()
}
