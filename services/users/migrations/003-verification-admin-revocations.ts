import { sql, type Kysely } from 'kysely'
import { dialectOf } from '@emporium/platform'

// As in 001: utf8mb4, compared exactly as PostgreSQL does.
const mysqlTableOptions = sql`engine = InnoDB default character set utf8mb4 collate utf8mb4_bin`

/**
 * E-mail verification and stored admin grants: `admin` is no longer computed from ADMIN_EMAILS
 * at each token, it is granted (to a verified ADMIN_EMAILS address, or by `npm run admin`) and
 * revoked. Existing accounts start unverified and without admin: whoever registered an admin
 * address before verification existed must prove the address (or be granted by the command).
 *
 * `revocations` keeps the entries of the revocation list (sessions ended, accounts whose older
 * tokens are void) until no token they name can be valid, so a restart reloads the list.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const mysql = dialectOf(db) === 'mysql'
  const timestamp = mysql ? 'datetime(3)' : 'timestamptz(3)'
  await db.schema.alterTable('users').addColumn('email_verified_at', timestamp).execute()
  await db.schema
    .alterTable('users')
    .addColumn('is_admin', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()
  await db.schema
    .createTable('revocations')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(8)', (c) => c.notNull())
    .addColumn('subject', 'varchar(36)', (c) => c.notNull())
    .addColumn('revoked_before', timestamp)
    .addColumn('expires_at', timestamp, (c) => c.notNull())
    .$call((t) => (mysql ? t.modifyEnd(mysqlTableOptions) : t))
    .execute()
  await db.schema
    .createIndex('revocations_expires_at_idx')
    .on('revocations')
    .column('expires_at')
    .execute()
}
