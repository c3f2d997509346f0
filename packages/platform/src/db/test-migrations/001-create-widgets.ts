// A service migration as services write them, for migrate.int.test.ts.
import type { Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's type for a migration, which runs before any table type exists
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('widgets')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .execute()
}
