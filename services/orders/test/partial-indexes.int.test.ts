import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOutbox, migrate, type Database, type Logger } from '@emporium/platform'
import { createTestDatabase, genericPlans, type TestDatabase } from '@emporium/platform/testing'
import { createCatalogPriceCopy } from '../src/infra/catalog-prices.js'
import { createSqlOrderStore } from '../src/infra/sql-order-store.js'
import { createSqlPromotionCatalog } from '../src/infra/sql-promotions.js'
import type { OrdersTables } from '../src/infra/tables.js'

const silent = { warn: () => {}, info: () => {}, error: () => {} } as unknown as Logger

// Orders' reads served by a partial index (migrations 002 and 006: `where status …`) name the
// statuses in their text, so that the generic plan PostgreSQL may keep for a named statement after
// its fifth run uses the index too; with the statuses as parameters it could not.
describe("orders' reads by status: their generic plans use the partial indexes", () => {
  let test: TestDatabase
  let db: Kysely<OrdersTables>

  beforeAll(async () => {
    test = await createTestDatabase('postgres')
    await migrate(test.database, { migrations: new URL('../migrations/', import.meta.url) })
    db = test.database.db as Kysely<OrdersTables>
  })
  afterAll(async () => {
    await test?.drop()
  })

  const storeOn = (spy: Kysely<OrdersTables>) =>
    createSqlOrderStore({
      database: { ...test.database, db: spy } as unknown as Database,
      outbox: createOutbox({ source: 'orders' }),
      log: silent,
    })

  it("the placement's read finds the order holding the cart by the index of held carts", async () => {
    const plans = await genericPlans(db, (spy) =>
      createCatalogPriceCopy({
        db: spy,
        fallback: () => Promise.resolve(undefined),
        log: silent,
      }).products([{ productId: 'lamp', variantId: 'lamp' }], {
        userId: 'u1',
        cartIdentity: 'c1',
      }),
    )
    expect(plans.join('\n')).toContain('orders_cart_held_uq')
  })

  it('the order holding a cart', async () => {
    const plans = await genericPlans(db, (spy) => storeOn(spy).orderHoldingCart('u1', 'c1'))
    expect(plans).toHaveLength(1)
    expect(plans[0]).toContain('orders_cart_held_uq')
  })

  it("a promotion's uses held, counted for a preview and for the admins' list", async () => {
    const catalog = (on: Kysely<OrdersTables>) =>
      createSqlPromotionCatalog({ db: on }, createOutbox({ source: 'orders' }))
    const at = new Date()
    const promotion = await catalog(db).create(
      {
        code: 'PLAN10',
        offer: { kind: 'percentage', percent: 10 },
        minSubtotal: null,
        startsAt: null,
        endsAt: null,
        usageLimit: null,
        perCustomerLimit: null,
        active: true,
      },
      at,
    )
    const preview = await genericPlans(db, (spy) =>
      catalog(spy).preview({
        code: 'PLAN10',
        customerId: 'u1',
        subtotal: { amount: 10_000, currency: 'USD' },
        now: at,
      }),
    )
    expect(preview.find((plan) => plan.includes('promotion_uses'))).toContain(
      'promotion_uses_held_idx',
    )
    const list = await genericPlans(db, (spy) => catalog(spy).list({ limit: 10 }))
    expect(list.find((plan) => plan.includes('promotion_uses'))).toContain(
      'promotion_uses_held_idx',
    )
    expect(promotion.code).toBe('PLAN10')
  })

  it("the sweeper's due orders", async () => {
    const plans = await genericPlans(db, (spy) =>
      storeOn(spy).forEachDue(new Date(), () => Promise.resolve(false)),
    )
    expect(plans[0]).toContain('orders_deadline_idx')
  })
})
