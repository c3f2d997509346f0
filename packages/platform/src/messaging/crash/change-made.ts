import { defineEvent } from '@emporium/contracts'
import Type from 'typebox'
import type { Migration } from 'kysely'

/** The crash test's one event: state change number `n` happened. */
export const ChangeMade = defineEvent(
  'change.made',
  1,
  Type.Object({ n: Type.Integer({ minimum: 1 }) }),
)

export const producerMigrations: Record<string, Migration> = {
  '001-changes': {
    up: (db) =>
      db.schema
        .createTable('changes')
        .addColumn('n', 'integer', (c) => c.primaryKey())
        .execute(),
  },
}

// No unique constraint on n: a doubled effect must be visible, not silently refused.
export const consumerMigrations: Record<string, Migration> = {
  '001-effects': {
    up: (db) =>
      db.schema
        .createTable('effects')
        .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        .execute(),
  },
}
