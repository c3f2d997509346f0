import { sql, type Kysely } from 'kysely'
import { dialectOf } from '@emporium/platform'

// As in 001: utf8mb4, compared exactly as PostgreSQL does.
const mysqlTableOptions = sql`engine = InnoDB default character set utf8mb4 collate utf8mb4_bin`

/**
 * The address book and password reset links (issue 18).
 *
 * `addresses`: an account's saved shipping addresses (at most 20, counted under a lock of the
 * account's row), one of them the default. The columns' lengths are the contract's.
 *
 * `password_reset_tokens`: by the SHA-256 of the token (never the token), single use (`used_at`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const mysql = dialectOf(db) === 'mysql'
  const timestamp = mysql ? 'datetime(3)' : 'timestamptz(3)'
  await db.schema
    .createTable('addresses')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) =>
      c.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('label', 'varchar(50)')
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('line1', 'varchar(200)', (c) => c.notNull())
    .addColumn('line2', 'varchar(200)')
    .addColumn('city', 'varchar(100)', (c) => c.notNull())
    .addColumn('postal_code', 'varchar(20)', (c) => c.notNull())
    .addColumn('country', 'varchar(2)', (c) => c.notNull())
    .addColumn('region', 'varchar(100)')
    .addColumn('phone', 'varchar(40)')
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', timestamp, (c) => c.notNull())
    .addColumn('updated_at', timestamp, (c) => c.notNull())
    .$call((t) => (mysql ? t.modifyEnd(mysqlTableOptions) : t))
    .execute()
  await db.schema.createIndex('addresses_user_id_idx').on('addresses').column('user_id').execute()
  await db.schema
    .createTable('password_reset_tokens')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) =>
      c.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('expires_at', timestamp, (c) => c.notNull())
    .addColumn('used_at', timestamp)
    .addColumn('created_at', timestamp, (c) => c.notNull())
    .$call((t) => (mysql ? t.modifyEnd(mysqlTableOptions) : t))
    .execute()
  await db.schema
    .createIndex('password_reset_tokens_user_id_idx')
    .on('password_reset_tokens')
    .column('user_id')
    .execute()
}
