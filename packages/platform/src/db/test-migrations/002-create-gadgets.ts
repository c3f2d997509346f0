import type { Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's type for a migration, which runs before any table type exists
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('gadgets')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('widget_id', 'varchar(64)', (c) => c.notNull().references('widgets.id'))
    .execute()
}
