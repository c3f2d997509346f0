import { sql, type Kysely } from 'kysely'

/**
 * The order status projection (built from order events only), its change log (what the status
 * streams read, `seq` being the SSE event id), the shoppers' addresses (from user.registered)
 * and the messages to send (the dispatcher's queue). PostgreSQL and PGlite alike.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('order_status')
    .addColumn('order_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('cancellation_reason', 'varchar(64)')
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('status_changes')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('cancellation_reason', 'varchar(64)')
    .addColumn('at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('event_id', 'varchar(64)', (c) => c.notNull().unique())
    .execute()
  await db.schema
    .createIndex('status_changes_order_seq_idx')
    .on('status_changes')
    .columns(['order_id', 'seq'])
    .execute()

  await db.schema
    .createTable('recipients')
    .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('email', 'varchar(320)', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('registered_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('messages')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('template', 'varchar(32)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('order_id', 'varchar(64)')
    .addColumn('to_address', 'varchar(320)', (c) => c.notNull())
    .addColumn('subject', 'varchar(300)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) =>
      c.notNull().check(sql`status in ('pending', 'sent', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('last_error', 'varchar(500)')
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz(3)')
    .addUniqueConstraint('messages_event_template_key', ['event_id', 'template'])
    .execute()
  // The dispatcher's scan: only pending rows, by due time.
  await sql`create index messages_due_idx on messages (next_attempt_at) where status = 'pending'`.execute(
    db,
  )
}
