import { sql, type Kysely } from 'kysely'
import { dialectOf } from '@emporium/platform'

// MySQL/MariaDB: utf8mb4, compared exactly as PostgreSQL does (see below).
const mysqlTableOptions = sql`engine = InnoDB default character set utf8mb4 collate utf8mb4_bin`

/**
 * Accounts. `email` holds the normalised (trimmed, lower-cased) address under a unique index:
 * uniqueness is case-insensitive because the application lower-cases, not by collation. On
 * MySQL/MariaDB the table is utf8mb4 with a binary collation so that it compares exactly as
 * PostgreSQL does (a default `_ci`/`_ai` collation would also merge e.g. `josé` and `jose`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const mysql = dialectOf(db) === 'mysql'
  const timestamp = mysql ? 'datetime(3)' : 'timestamptz(3)'
  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('email', 'varchar(254)', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', timestamp, (c) => c.notNull())
    .addColumn('updated_at', timestamp, (c) => c.notNull())
    .$call((t) => (mysql ? t.modifyEnd(mysqlTableOptions) : t))
    .execute()
  await db.schema.createIndex('users_email_key').on('users').column('email').unique().execute()
}
