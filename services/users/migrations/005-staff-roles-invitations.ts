import { sql, type Kysely } from 'kysely'
import { dialectOf } from '@emporium/platform'

// As in 001: utf8mb4, compared exactly as PostgreSQL does.
const mysqlTableOptions = sql`engine = InnoDB default character set utf8mb4 collate utf8mb4_bin`

/**
 * Staff roles and invitations (issue 19). `users.staff_roles` holds an account's staff roles,
 * comma-separated (`owner`, `catalog_manager`, `fulfilment`, `support`; empty for a shopper);
 * `is_admin` stays the legacy owner flag (`npm run admin`, ADMIN_EMAILS), which counts as owner.
 *
 * `staff_invitations`: the mailed links to join the staff, each by the SHA-256 of its token (the
 * token itself is never stored), single use (`accepted_at`), until `expires_at`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const mysql = dialectOf(db) === 'mysql'
  const timestamp = mysql ? 'datetime(3)' : 'timestamptz(3)'
  await db.schema
    .alterTable('users')
    .addColumn('staff_roles', 'varchar(200)', (c) => c.notNull().defaultTo(''))
    .execute()
  await db.schema
    .createTable('staff_invitations')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('email', 'varchar(254)', (c) => c.notNull())
    .addColumn('role', 'varchar(32)', (c) => c.notNull())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('invited_by', 'varchar(36)', (c) => c.notNull())
    .addColumn('created_at', timestamp, (c) => c.notNull())
    .addColumn('expires_at', timestamp, (c) => c.notNull())
    .addColumn('accepted_at', timestamp)
    .addColumn('accepted_user_id', 'varchar(36)')
    .$call((t) => (mysql ? t.modifyEnd(mysqlTableOptions) : t))
    .execute()
}
