import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('gadgets')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('widget_id', 'varchar(64)', (c) => c.notNull().references('widgets.id'))
    .execute()
}
