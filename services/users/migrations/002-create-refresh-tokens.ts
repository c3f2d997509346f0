import { sql, type Kysely } from 'kysely'
import { dialectOf } from '@emporium/platform'

/**
 * Refresh tokens, by the SHA-256 of the token (never the token). `family_id` groups the tokens
 * rotated from one login, so that reuse or logout revokes them together.
 */
// As in 001: utf8mb4, compared exactly as PostgreSQL does.
const mysqlTableOptions = sql`engine = InnoDB default character set utf8mb4 collate utf8mb4_bin`

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = dialectOf(db) === 'mysql'
  const timestamp = mysql ? 'datetime(3)' : 'timestamptz(3)'
  await db.schema
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('family_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(36)', (c) =>
      c.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('expires_at', timestamp, (c) => c.notNull())
    .addColumn('used_at', timestamp)
    .addColumn('revoked_at', timestamp)
    .addColumn('created_at', timestamp, (c) => c.notNull())
    .$call((t) => (mysql ? t.modifyEnd(mysqlTableOptions) : t))
    .execute()
  await db.schema
    .createIndex('refresh_tokens_family_id_idx')
    .on('refresh_tokens')
    .column('family_id')
    .execute()
  await db.schema
    .createIndex('refresh_tokens_user_id_idx')
    .on('refresh_tokens')
    .column('user_id')
    .execute()
}
