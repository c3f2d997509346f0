import { sql, type Kysely } from 'kysely'

/**
 * Carts started (issue 19: the cart service's `cart.started`), the day's "carts": one row per
 * cart and time its first line went in, so a redelivered or twice-published event counts once,
 * and a cart emptied and filled again counts again. `day` is the UTC day of `started_at`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reporting_carts')
    .addColumn('cart_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('day', 'char(10)', (c) => c.notNull())
    .addColumn('guest', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('reporting_carts_pk', ['cart_id', 'started_at'])
    .execute()
  await sql`create index reporting_carts_day_idx on reporting_carts (day)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reporting_carts').ifExists().execute()
}
