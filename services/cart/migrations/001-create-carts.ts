import type { Kysely } from 'kysely'

/**
 * Carts in the SQL store (the embedded mode; production keeps them in Redis). Lines are one
 * JSON document per cart: a cart is always read and written whole. `version` guards writes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('carts')
    .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('carts_updated_at_idx').on('carts').column('updated_at').execute()
}
