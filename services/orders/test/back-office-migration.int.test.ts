import { sql, type Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import { migrate } from '@emporium/platform'
import { createTestDatabase } from '@emporium/platform/testing'
import * as m001 from '../migrations/001-create-orders.js'
import * as m002 from '../migrations/002-cart-identity.js'
import * as m003 from '../migrations/003-decline-reason.js'
import * as m004 from '../migrations/004-catalog-prices.js'
import * as m005 from '../migrations/005-variants.js'
import * as m006 from '../migrations/006-payment-attempts.js'
import * as m007 from '../migrations/007-promotions.js'
import * as m008 from '../migrations/008-tax-rates.js'
import * as m009 from '../migrations/009-order-pricing.js'
import * as m010 from '../migrations/010-catalog-tax-weight.js'
import * as m011 from '../migrations/011-back-office.js'

const before = {
  '001-create-orders': m001,
  '002-cart-identity': m002,
  '003-decline-reason': m003,
  '004-catalog-prices': m004,
  '005-variants': m005,
  '006-payment-attempts': m006,
  '007-promotions': m007,
  '008-tax-rates': m008,
  '009-order-pricing': m009,
  '010-catalog-tax-weight': m010,
}

// Migration 011 numbers the orders already there by placement (from 1001), gives guests' orders
// their e-mail as the customer's, and the sequence goes on after them.
describe.each(['pglite', 'postgres'] as const)('migration 011-back-office on %s', (kind) => {
  it('numbers existing orders oldest first and continues the sequence', async () => {
    const test = await createTestDatabase(kind)
    try {
      const db = test.database.db as Kysely<any>
      await migrate(test.database, { migrations: before })
      const order = (id: string, at: string, email: string | null) => ({
        id,
        user_id: `u-${id}`,
        status: 'confirmed',
        currency: 'USD',
        total_amount: 100,
        shipping_address: '{}',
        payment_method_id: 'pm',
        card_last4: '4242',
        card_brand: 'visa',
        created_at: new Date(at),
        updated_at: new Date(at),
        email,
      })
      await db
        .insertInto('orders')
        .values([
          order('b', '2026-02-01T00:00:00Z', null),
          order('a', '2026-03-01T00:00:00Z', 'Guest@Example.com'),
          order('c', '2026-01-01T00:00:00Z', null),
        ])
        .execute()
      await migrate(test.database, { migrations: { ...before, '011-back-office': m011 } })
      const rows = await db
        .selectFrom('orders')
        .select(['id', 'number', 'customer_email'])
        .orderBy('id')
        .execute()
      expect(rows.map((r) => [r.id, Number(r.number), r.customer_email])).toEqual([
        ['a', 1003, 'guest@example.com'],
        ['b', 1002, null],
        ['c', 1001, null],
      ])
      const { rows: next } = await sql<{
        n: string
      }>`select nextval('orders_number_seq') as n`.execute(db)
      expect(Number(next[0]!.n)).toBe(1004)
    } finally {
      await test.drop()
    }
  })
})
