import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import type { Kysely } from 'kysely'
import { createOutbox, migrate } from '@emporium/platform'
import { createTestDatabase } from '@emporium/platform/testing'
import * as createOrders from '../migrations/001-create-orders.js'
import * as cartIdentity from '../migrations/002-cart-identity.js'
import * as declineReason from '../migrations/003-decline-reason.js'
import * as catalogPrices from '../migrations/004-catalog-prices.js'
import * as variants from '../migrations/005-variants.js'
import { toOrder } from '../src/app/order-view.js'
import { createCatalogPriceCopy } from '../src/infra/catalog-prices.js'
import { createSqlOrderStore } from '../src/infra/sql-order-store.js'
import type { OrdersTables } from '../src/infra/tables.js'

const before = {
  '001-create-orders': createOrders,
  '002-cart-identity': cartIdentity,
  '003-decline-reason': declineReason,
  '004-catalog-prices': catalogPrices,
}

// Upgrading orders placed, and prices copied, before variants: each line and each copied price
// is its product's first variant's, whose id is the product's.
describe.each(['pglite', 'postgres'] as const)('migration 005-variants on %s', (kind) => {
  it("reads older lines and copied prices as the products' first variants", async () => {
    const test = await createTestDatabase(kind)
    try {
      const { database } = test
      const db = database.db as Kysely<OrdersTables>
      await migrate(database, { migrations: before })
      const at = new Date('2026-03-01T10:00:00.000Z')
      await db
        .insertInto('orders')
        .values({
          id: 'o-old',
          user_id: 'u1',
          status: 'confirmed',
          currency: 'USD',
          total_amount: 3998,
          shipping_address: JSON.stringify({
            name: 'A',
            line1: 'B',
            city: 'C',
            postalCode: 'D',
            country: 'FR',
          }),
          payment_method_id: 'pm_1',
          card_last4: '4242',
          card_brand: 'visa',
          payment_status: 'captured',
          cancellation_reason: null,
          deadline_at: null,
          created_at: at,
          updated_at: at,
        } as never)
        .execute()
      await db
        .insertInto('order_lines')
        .values({
          order_id: 'o-old',
          position: 0,
          product_id: 'lamp',
          name: 'Lamp',
          unit_amount: 1999,
          quantity: 2,
        } as never)
        .execute()
      await db
        .insertInto('catalog_prices')
        .values({
          product_id: 'lamp',
          name: 'Lamp',
          unit_amount: 1999,
          currency: 'USD',
          deleted: false,
          changed_at: at,
        } as never)
        .execute()

      const { applied } = await migrate(database, {
        migrations: { ...before, '005-variants': variants },
      })
      expect(applied).toEqual(['service/005-variants'])
      // And every migration since (the store reads their columns): old orders and copied prices
      // pass through them too.
      await migrate(database, { migrations: new URL('../migrations/', import.meta.url) })
      const log = pino({ level: 'silent' })
      const store = createSqlOrderStore({
        database,
        outbox: createOutbox({ source: 'orders' }),
        log,
      })
      const order = (await store.find('o-old'))!
      expect(order.lines).toEqual([
        {
          productId: 'lamp',
          variantId: 'lamp',
          name: 'Lamp',
          unitPrice: { amount: 1999, currency: 'USD' },
          quantity: 2,
        },
      ])
      expect(toOrder(order).items).toEqual([
        {
          productId: 'lamp',
          variantId: 'lamp',
          name: 'Lamp',
          unitPrice: { amount: 1999, currency: 'USD' },
          quantity: 2,
          lineTotal: { amount: 3998, currency: 'USD' },
        },
      ])
      const copy = createCatalogPriceCopy({
        db,
        fallback: async () => {
          throw new Error('the copy knew it')
        },
        log,
      })
      const { products } = await copy.products([{ productId: 'lamp', variantId: 'lamp' }])
      expect(products.get('lamp')).toEqual({
        productId: 'lamp',
        name: 'Lamp',
        price: { amount: 1999, currency: 'USD' },
        // Migration 010: a price copied before tax classes and weights.
        taxClass: 'standard',
        weightGrams: 0,
      })
      // Migration 009: an order placed before the totals breakdown shows its total as subtotal.
      expect(toOrder(order)).toMatchObject({
        total: { amount: 3998, currency: 'USD' },
        subtotal: { amount: 3998, currency: 'USD' },
        discount: { amount: 0, currency: 'USD' },
        shipping: { amount: 0, currency: 'USD' },
        tax: { amount: 0, currency: 'USD' },
        shippingMethod: null,
        promotionCode: null,
        shipments: [],
      })
    } finally {
      await test.drop()
    }
  })
})
