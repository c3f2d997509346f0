import { sql, type ColumnType, type Generated, type Migration } from 'kysely'
import { dialectOf } from './database.js'

/** Rows of the tables the platform adds to every service's database. */
export interface PlatformTables {
  outbox: OutboxTable
  inbox: InboxTable
}

export interface OutboxTable {
  /** The event id. */
  id: string
  /** Insertion order: the relay publishes oldest first. */
  seq: Generated<number>
  type: string
  version: number
  /** The whole envelope as JSON, published as is. */
  payload: string
  created_at: ColumnType<Date, Date, never>
  sent_at: Date | null
}

export interface InboxTable {
  consumer: string
  event_id: string
  handled_at: ColumnType<Date, Date, never>
}

/*
 * Timestamps are written by the application (UTC `Date`s), never by column defaults: MySQL's
 * `current_timestamp` follows the session time zone, which the driver does not set, and ages are
 * computed against the same clock that wrote them.
 */
export const platformMigrations: Record<string, Migration> = {
  '001-create-outbox': {
    async up(db) {
      const mysql = dialectOf(db) === 'mysql'
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        // MySQL wants an AUTO_INCREMENT column to lead an index of its own, hence `unique`.
        .addColumn('seq', mysql ? 'bigint' : 'bigserial', (c) =>
          mysql ? c.notNull().autoIncrement().unique() : c.notNull().unique(),
        )
        .addColumn('type', 'varchar(100)', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        // MySQL's `text` stops at 64 KiB; an event is small, but a limit we never hit is cheap.
        .addColumn('payload', mysql ? sql`mediumtext` : 'text', (c) => c.notNull())
        .addColumn('created_at', mysql ? 'datetime(3)' : 'timestamptz(3)', (c) => c.notNull())
        .addColumn('sent_at', mysql ? 'datetime(3)' : 'timestamptz(3)')
        .execute()
      // One index serves both hot queries on every dialect (MySQL has no partial indexes):
      // "sent_at is null order by seq" for the relay, "sent_at < cutoff" for the retention purge.
      await db.schema
        .createIndex('outbox_sent_at_seq_idx')
        .on('outbox')
        .columns(['sent_at', 'seq'])
        .execute()
    },
  },
  '002-create-inbox': {
    async up(db) {
      const mysql = dialectOf(db) === 'mysql'
      await db.schema
        .createTable('inbox')
        .addColumn('consumer', 'varchar(100)', (c) => c.notNull())
        .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('handled_at', mysql ? 'datetime(3)' : 'timestamptz(3)', (c) => c.notNull())
        .addPrimaryKeyConstraint('inbox_pkey', ['consumer', 'event_id'])
        .execute()
      // For pruning old entries once a retention policy exists.
      await db.schema.createIndex('inbox_handled_at_idx').on('inbox').column('handled_at').execute()
    },
  },
}
