import { describe, expect, it } from 'vitest'
import { migrate } from '@emporium/platform'
import { createTestDatabase } from '@emporium/platform/testing'
import * as createCarts from '../migrations/001-create-carts.js'
import * as createProductPrices from '../migrations/002-create-product-prices.js'
import * as addSettledOrderIds from '../migrations/003-add-carts-settled-order-ids.js'
import { createSettleOrderedLines } from '../src/app/settle-ordered-lines.js'
import { createSqlCartStore } from '../src/infra/sql-cart-store.js'
import { linesOf } from './order-confirmed-suite.js'
import { storeLegacySqlCart } from './sql-support.js'

// Upgrading a database that holds carts: the settled list's column comes in empty.
describe.each(['pglite', 'postgres'] as const)(
  'migration 003-add-carts-settled-order-ids on %s',
  (kind) => {
    it('adds settled_order_ids to existing carts, read as an empty list', async () => {
      const test = await createTestDatabase(kind)
      try {
        const { database } = test
        await migrate(database, {
          migrations: {
            '001-create-carts': createCarts,
            '002-create-product-prices': createProductPrices,
          },
        })
        await storeLegacySqlCart(database, 'old-cart', linesOf([['p1', 2]]))
        const { applied } = await migrate(database, {
          migrations: {
            '001-create-carts': createCarts,
            '002-create-product-prices': createProductPrices,
            '003-add-carts-settled-order-ids': addSettledOrderIds,
          },
          platform: false,
        })
        expect(applied).toEqual(['service/003-add-carts-settled-order-ids'])
        const store = createSqlCartStore(database)
        expect(await store.get('old-cart')).toMatchObject({ version: 1, settledOrderIds: [] })
        const settle = createSettleOrderedLines({ store, now: () => new Date() })
        const order = {
          orderId: 'o1',
          userId: 'old-cart',
          lines: [{ productId: 'p1', quantity: 1 }],
        }
        expect(await settle(order)).toBe('settled')
        expect(await store.get('old-cart')).toMatchObject({
          version: 2,
          lines: [{ productId: 'p1', quantity: 1 }],
          settledOrderIds: ['o1'],
        })
      } finally {
        await test.drop()
      }
    })
  },
)
