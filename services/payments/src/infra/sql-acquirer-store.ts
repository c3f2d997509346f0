import { sql, type Kysely } from 'kysely'
import type { FaultStore } from './simulated-faults.js'
import type { AcquirerStore } from './simulated-provider.js'
import type { PaymentsTables } from './tables.js'

/**
 * The acquirer's table in a database of its own (PAYMENTS_SIMULATOR_DATABASE_URL); in the
 * payments database, migration 001 creates it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a schema change, like a migration: no table types yet
export async function createAcquirerTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('simulated_acquirer')
    .ifNotExists()
    .addColumn('key', 'varchar(250)', (c) => c.primaryKey())
    .addColumn('value', 'text')
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
}

/**
 * The simulated acquirer's state in its own table of the payments database (it stands for an
 * external system, so its memory must outlive our crashes). Keys are namespaced by the
 * simulator (`token:…`, `op:…`, `attempts:…`, and `faults`, a scheduled outage); values are
 * JSON.
 */
export function createSqlAcquirerStore(db: Kysely<PaymentsTables>): AcquirerStore & FaultStore {
  return {
    async read(key) {
      const row = await db
        .selectFrom('simulated_acquirer')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst()
      return row?.value ?? undefined
    },

    async readMany(keys) {
      const rows = await db
        .selectFrom('simulated_acquirer')
        .select(['key', 'value'])
        .where('key', 'in', keys)
        .execute()
      return new Map(rows.flatMap((row) => (row.value === null ? [] : [[row.key, row.value]])))
    },

    async writeOnce(key, value) {
      // The insert, or the value already there, in one statement; a twin inserting the same key
      // at the same moment commits after this statement's snapshot, so it is read afterwards.
      const { rows } = await sql<{ value: string | null }>`
        with inserted as (
          insert into simulated_acquirer (key, value, updated_at)
          values (${key}, ${value}, ${new Date()})
          on conflict (key) do nothing
          returning value
        )
        select value from inserted
        union all
        select value from simulated_acquirer where key = ${key}`.execute(db)
      const found = rows.find((row) => row.value !== null)
      if (found) return found.value ?? value
      const row = await db
        .selectFrom('simulated_acquirer')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirstOrThrow()
      return row.value ?? value
    },

    async write(key, value) {
      await db
        .insertInto('simulated_acquirer')
        .values({ key, value, updated_at: new Date() })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: new Date() }))
        .execute()
    },

    async increment(key) {
      const row = await db
        .insertInto('simulated_acquirer')
        .values({ key, value: null, count: 1, updated_at: new Date() })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            count: sql`simulated_acquirer.count + 1`,
            updated_at: new Date(),
          }),
        )
        .returning('count')
        .executeTakeFirstOrThrow()
      return Number(row.count)
    },
  }
}
