import type { Kysely } from 'kysely'

/**
 * One row per open order-status stream, shared by every replica, so that the cap on a user's
 * open streams holds across replicas. A row lives until its stream ends or, should its replica
 * die, until `expires_at` (streams renew theirs at each heartbeat).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stream_leases')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('stream_leases_user_idx')
    .on('stream_leases')
    .columns(['user_id', 'expires_at'])
    .execute()
}
