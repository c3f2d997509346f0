import { sql, type Kysely } from 'kysely'

/**
 * The webhooks service's tables (PostgreSQL and PGlite alike):
 * - webhook_endpoints: partners' URLs, the event types they take, the signing secret and the one
 *   before it (until it expires, both sign), and the circuit breaker's state;
 * - webhook_deliveries: one per event and endpoint (unique: a redelivered event stores nothing
 *   twice), its exact body, its status and schedule, and the lease of the dispatcher sending it;
 * - webhook_attempts: every try, its timing and the answer's status or the error.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    .addColumn('event_types', 'jsonb', (c) => c.notNull())
    .addColumn('description', 'varchar(500)')
    .addColumn('status', 'varchar(10)', (c) => c.notNull())
    .addColumn('disabled_reason', 'varchar(20)')
    .addColumn('created_by', 'varchar(64)', (c) => c.notNull())
    .addColumn('secret', 'varchar(100)', (c) => c.notNull())
    .addColumn('previous_secret', 'varchar(100)')
    .addColumn('previous_secret_expires_at', 'timestamptz(3)')
    .addColumn('secret_rotated_at', 'timestamptz(3)')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failing_since', 'timestamptz(3)')
    .addColumn('breaker_open_until', 'timestamptz(3)')
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .addCheckConstraint('webhook_endpoints_status_ck', sql`status in ('enabled', 'disabled')`)
    .execute()
  await sql`create index webhook_endpoints_list_idx on webhook_endpoints (created_at, id)`.execute(
    db,
  )

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'varchar(64)', (c) =>
      c.notNull().references('webhook_endpoints.id').onDelete('cascade'),
    )
    // The `webhook-id` header: the event's id, the same at every attempt and replay.
    .addColumn('event_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('type', 'varchar(100)', (c) => c.notNull())
    // The exact body signed and sent, `{type, timestamp, data}` as JSON text.
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(10)', (c) => c.notNull())
    // Attempts of the current series; a replay starts a new series from 0.
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('series', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('next_attempt_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('lease_owner', 'varchar(64)')
    .addColumn('lease_until', 'timestamptz(3)')
    .addColumn('last_response_status', 'integer')
    .addColumn('last_error', 'varchar(500)')
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .addUniqueConstraint('webhook_deliveries_event_uq', ['endpoint_id', 'event_id'])
    .addCheckConstraint(
      'webhook_deliveries_status_ck',
      sql`status in ('pending', 'delivered', 'failed')`,
    )
    .execute()
  await sql`create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at)
    where status = 'pending'`.execute(db)
  await sql`create index webhook_deliveries_list_idx
    on webhook_deliveries (endpoint_id, created_at, id)`.execute(db)

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('delivery_id', 'varchar(64)', (c) =>
      c.notNull().references('webhook_deliveries.id').onDelete('cascade'),
    )
    .addColumn('series', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('error', 'varchar(500)')
    .addColumn('response_body', 'varchar(1024)')
    .execute()
  await sql`create index webhook_attempts_delivery_idx
    on webhook_attempts (delivery_id, started_at)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhook_endpoints']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
