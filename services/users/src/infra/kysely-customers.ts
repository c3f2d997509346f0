import type { Kysely } from 'kysely'
import type { Database } from '@emporium/platform'
import type { CustomerDirectory, CustomerRecord } from '../app/customers.js'
import { createAddresses } from './kysely-addresses.js'
import type { UsersTables } from './tables.js'

const columns = ['id', 'email', 'name', 'email_verified_at', 'created_at'] as const

/** `text` matched literally by LIKE: `%`, `_` and `\` escaped (`\` is the default escape). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/**
 * The staff's customer search on the users database (MariaDB/MySQL, PostgreSQL or PGlite): a
 * substring of the lower-cased e-mail or name, newest account first (a scan: the back office's
 * few searches a minute, not the shop's traffic).
 */
export function createKyselyCustomers(database: Database): CustomerDirectory {
  const db = database.db as Kysely<UsersTables>
  const toRecord = (row: {
    id: string
    email: string
    name: string
    email_verified_at: Date | null
    created_at: Date
  }): CustomerRecord => ({
    id: row.id,
    email: row.email,
    name: row.name,
    emailVerifiedAt: row.email_verified_at && new Date(row.email_verified_at),
    createdAt: new Date(row.created_at),
  })
  return {
    async search({ q, after, limit }) {
      let query = db.selectFrom('users').select(columns)
      if (q !== undefined) {
        const pattern = `%${escapeLike(q)}%`
        query = query.where((eb) =>
          eb.or([
            eb(eb.fn('lower', ['email']), 'like', pattern),
            eb(eb.fn('lower', ['name']), 'like', pattern),
          ]),
        )
      }
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', after.createdAt),
            eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
          ]),
        )
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute()
      return rows.map(toRecord)
    },
    async find(id) {
      const row = await db
        .selectFrom('users')
        .select(columns)
        .where('id', '=', id)
        .executeTakeFirst()
      return row && toRecord(row)
    },
    addresses: (userId) => createAddresses(db).list(userId),
  }
}
