import type { Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { EventEnvelope } from '@emporium/contracts'
import { migrate } from '@emporium/platform'
import { createTestDatabase } from '@emporium/platform/testing'
import * as m001 from '../migrations/001-create-users.js'
import * as m002 from '../migrations/002-create-refresh-tokens.js'
import * as m003 from '../migrations/003-verification-admin-revocations.js'
import * as m004 from '../migrations/004-addresses-password-resets.js'
import * as m005 from '../migrations/005-staff-roles-invitations.js'
import * as m006 from '../migrations/006-announce-existing-accounts.js'

const before = {
  '001-create-users': m001,
  '002-create-refresh-tokens': m002,
  '003-verification-admin-revocations': m003,
  '004-addresses-password-resets': m004,
  '005-staff-roles-invitations': m005,
}

// Migration 006 announces the accounts that exist before it as `user.registered` (orders learns
// their e-mail addresses), in pages of 500, and finds nothing to announce on a new database.
describe.each(['pglite', 'mysql'] as const)(
  'migration 006-announce-existing-accounts on %s',
  (kind) => {
    it('writes one user.registered per existing account to the outbox, with its roles', async () => {
      const test = await createTestDatabase(kind)
      try {
        const db = test.database.db as Kysely<any>
        await migrate(test.database, { migrations: before })
        const account = (i: number, extra: Record<string, unknown> = {}) => ({
          id: `u-${String(i).padStart(4, '0')}`,
          email: `shopper${i}@example.com`,
          name: `Shopper ${i}`,
          password_hash: 'x',
          email_verified_at: null,
          is_admin: false,
          staff_roles: '',
          created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)),
          updated_at: new Date('2026-06-01T00:00:00Z'),
          ...extra,
        })
        // 501: past one page.
        const accounts = Array.from({ length: 501 }, (_, i) => account(i))
        accounts[0] = account(0, { is_admin: true })
        accounts[1] = account(1, { staff_roles: 'fulfilment,support' })
        await db.insertInto('users').values(accounts).execute()

        await migrate(test.database, { migrations: { ...before, '006-announce': m006 } })

        const rows: { payload: unknown }[] = await db
          .selectFrom('outbox')
          .select('payload')
          .where('type', '=', 'user.registered')
          .execute()
        const events = rows.map(
          (row) =>
            (typeof row.payload === 'string'
              ? JSON.parse(row.payload)
              : row.payload) as EventEnvelope<{
              userId: string
              email: string
              name: string
              roles: string[]
              registeredAt: string
            }>,
        )
        expect(events).toHaveLength(501)
        expect(new Set(events.map((e) => e.data.userId)).size).toBe(501)
        const byId = new Map(events.map((e) => [e.data.userId, e]))
        expect(byId.get('u-0000')).toMatchObject({
          source: 'users',
          data: {
            email: 'shopper0@example.com',
            name: 'Shopper 0',
            roles: ['customer', 'admin'],
            registeredAt: '2026-01-01T00:00:00.000Z',
          },
        })
        expect(byId.get('u-0001')!.data.roles).toEqual(['customer', 'fulfilment', 'support'])
        expect(byId.get('u-0500')!.data).toMatchObject({
          roles: ['customer'],
          registeredAt: '2026-01-01T00:00:20.000Z',
        })
      } finally {
        await test.drop()
      }
    })

    it('announces nothing on a new database', async () => {
      const test = await createTestDatabase(kind)
      try {
        await migrate(test.database, { migrations: { ...before, '006-announce': m006 } })
        const rows = await (test.database.db as Kysely<any>)
          .selectFrom('outbox')
          .select('id')
          .execute()
        expect(rows).toEqual([])
      } finally {
        await test.drop()
      }
    })
  },
)
