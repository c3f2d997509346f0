import { sql, type Kysely } from 'kysely'
import type { FaultStore } from './simulated-faults.js'
import type { AcquirerStore } from './simulated-provider.js'
import type { PaymentsTables } from './tables.js'

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

    async writeOnce(key, value) {
      await db
        .insertInto('simulated_acquirer')
        .values({ key, value, updated_at: new Date() })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute()
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
