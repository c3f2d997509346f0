import { describe, expect, it } from 'vitest'
import { migrate } from '@emporium/platform'
import { createTestDatabase } from '@emporium/platform/testing'
import * as createCarts from '../migrations/001-create-carts.js'
import * as createProductPrices from '../migrations/002-create-product-prices.js'
import * as addSettledOrderIds from '../migrations/003-add-carts-settled-order-ids.js'
import * as variantPrices from '../migrations/004-variant-prices.js'
import { createSqlPriceCopy, createSqlPriceCopyWriter } from '../src/infra/sql-price-copy.js'

// Upgrading a price copy kept per product: each row becomes its product's first variant's.
describe.each(['pglite', 'postgres'] as const)('migration 004-variant-prices on %s', (kind) => {
  it("keeps each product's price as its first variant's, and a deletion reaches every variant", async () => {
    const test = await createTestDatabase(kind)
    try {
      const { database } = test
      const before = {
        '001-create-carts': createCarts,
        '002-create-product-prices': createProductPrices,
        '003-add-carts-settled-order-ids': addSettledOrderIds,
      }
      await migrate(database, { migrations: before })
      const asOf = new Date('2026-03-01T00:00:00.000Z')
      await database.db
        .insertInto('product_prices' as never)
        .values({
          product_id: 'lamp',
          name: 'Lamp',
          amount: 1999,
          currency: 'USD',
          deleted: false,
          as_of: asOf,
        } as never)
        .execute()
      const { applied } = await migrate(database, {
        migrations: { ...before, '004-variant-prices': variantPrices },
      })
      expect(applied).toEqual(['service/004-variant-prices'])
      const copy = createSqlPriceCopy(database.db)
      expect(await copy.lookup(['lamp'])).toEqual(
        new Map([
          [
            'lamp',
            {
              productId: 'lamp',
              variantId: 'lamp',
              name: 'Lamp',
              price: { amount: 1999, currency: 'USD' },
              deleted: false,
              asOf: asOf.toISOString(),
            },
          ],
        ]),
      )
      // Variants of another product, then its deletion: every row of it, and its own id's.
      const writer = createSqlPriceCopyWriter(database.db)
      const at = (s: number) => new Date(asOf.getTime() + s * 1000).toISOString()
      await writer.apply({
        kind: 'updated',
        productId: 'tee',
        name: 'Tee',
        variants: [{ variantId: 'tee-xl', label: 'XL', price: { amount: 2299, currency: 'USD' } }],
        asOf: at(1),
      })
      await writer.apply({ kind: 'deleted', productId: 'tee', asOf: at(2) })
      const rows = await copy.lookup(['tee', 'tee-xl', 'lamp'])
      expect(rows.get('tee-xl')).toMatchObject({ productId: 'tee', label: 'XL', deleted: true })
      expect(rows.get('tee')).toMatchObject({ productId: 'tee', deleted: true })
      expect(rows.get('lamp')!.deleted).toBe(false)
    } finally {
      await test.drop()
    }
  })
})
