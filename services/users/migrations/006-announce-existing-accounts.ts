import type { Kysely, Transaction } from 'kysely'
import { staffRoles, users } from '@emporium/contracts'
import { createOutbox } from '@emporium/platform'

const page = 500

/**
 * Announces every account that exists before this release once more, as `user.registered` with
 * its first registration time (issue 19). Orders keeps accounts' e-mail addresses from that event
 * since its migration 011 (the staff's order search by e-mail, an order's `customerEmail`), so
 * without this, accounts registered before it stay without an address there, and so do their
 * orders. Both consumers of the event (orders, notifications) apply it as an upsert of the same
 * values, so hearing an account twice changes nothing. On a new database this finds no account.
 *
 * The events go through the outbox in the migration's transaction (or one of its own where the
 * dialect migrates outside transactions, as MariaDB does); the relay publishes them once the
 * service runs. Orders' queue must already be bound to `user.registered` (orders from issue 19
 * on, started once) for orders to hear them: upgrade orders before users.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const outbox = createOutbox({ source: 'users' })
  const announce = async (trx: Transaction<any>) => {
    let after = ''
    for (;;) {
      const rows: {
        id: string
        email: string
        name: string
        is_admin: boolean | number
        staff_roles: string
        created_at: Date | string
      }[] = await trx
        .selectFrom('users')
        .select(['id', 'email', 'name', 'is_admin', 'staff_roles', 'created_at'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(page)
        .execute()
      for (const row of rows) {
        await outbox.add(trx, users.UserRegistered, {
          userId: row.id,
          email: row.email,
          name: row.name,
          // As the service's rolesOf makes them (a migration keeps its own copy of the rule).
          roles: [
            'customer',
            ...(row.is_admin ? (['admin'] as const) : []),
            ...staffRoles.filter((role) => row.staff_roles.split(',').includes(role)),
          ],
          registeredAt: new Date(row.created_at).toISOString(),
        })
      }
      if (rows.length < page) return
      after = rows[rows.length - 1]!.id
    }
  }
  if (db.isTransaction) await announce(db as Transaction<any>)
  else await db.transaction().execute(announce)
}
