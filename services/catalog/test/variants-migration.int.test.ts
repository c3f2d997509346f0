import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { createOutbox, migrate, type DatabaseKind } from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import * as createCatalog from '../migrations/001-create-catalog.js'
import * as listingIndexes from '../migrations/002-listing-indexes.js'
import * as searchTrigram from '../migrations/003-search-trigram.js'
import * as productVariants from '../migrations/004-product-variants.js'
import * as productMedia from '../migrations/005-product-media.js'
import * as variantPrices from '../migrations/006-variant-prices.js'
import * as productStatus from '../migrations/007-product-status.js'
import * as taxClassAndWeight from '../migrations/008-tax-class-and-weight.js'
import { createGetProduct } from '../src/app/get-product.js'
import { createListProducts } from '../src/app/list-products.js'
import { createGetStock } from '../src/app/manage-products.js'
import { createCommitReservation } from '../src/app/commit-reservation.js'
import { createReserveStock } from '../src/app/reserve-stock.js'
import { createKyselyStore } from '../src/infra/kysely-store.js'

const before = {
  '001-create-catalog': createCatalog,
  '002-listing-indexes': listingIndexes,
  '003-search-trigram': searchTrigram,
}

/**
 * Migration 004 on a catalog written before variants: every product becomes one variant with
 * the product's id, SKU, price and stock, answers every route with the fields and values it had
 * (new fields added), and reservations held before it commit after it.
 */
describe.each<DatabaseKind>(['postgres', 'pglite'])('migration 004 on %s', (kind) => {
  let test: TestDatabase
  afterAll(() => test?.drop())

  it("turns each product into one variant of its own, and every answer keeps its fields' values", async () => {
    test = await createTestDatabase(kind)
    const db = test.database.db
    await migrate(test.database, { migrations: before })
    const category = { id: randomUUID(), name: 'Lamps', slug: 'lamps' }
    const lamp = randomUUID()
    const gone = randomUUID()
    const created = new Date('2026-02-03T04:05:06.789Z')
    await db.insertInto('categories').values(category).execute()
    for (const [id, sku, amount, deleted] of [
      [lamp, 'LAMP-1', 4599, null],
      [gone, 'GONE-1', 100, created],
    ] as const) {
      await db
        .insertInto('products')
        .values({
          id,
          sku,
          name: `Brass lamp ${sku}`,
          description: 'Warm light.',
          price_amount: amount,
          price_currency: 'USD',
          category_id: category.id,
          image_url: null,
          attributes: '{}',
          created_at: created,
          updated_at: created,
          deleted_at: deleted,
        })
        .execute()
      await db.insertInto('stock').values({ product_id: id, on_hand: 12, reserved: 3 }).execute()
    }
    // An order's hold taken before the migration.
    const held = randomUUID()
    await db
      .insertInto('reservations')
      .values({ order_id: held, status: 'held', created_at: created, updated_at: created })
      .execute()
    await db
      .insertInto('reservation_lines')
      .values({ order_id: held, product_id: lamp, quantity: 3 })
      .execute()

    // What API.md's product was before variants, for this row.
    const today = {
      id: lamp,
      sku: 'LAMP-1',
      name: 'Brass lamp LAMP-1',
      description: 'Warm light.',
      price: { amount: 4599, currency: 'USD' },
      category,
      imageUrl: `/api/v1/products/${lamp}/image`,
      available: 9,
      createdAt: created.toISOString(),
    }
    const added = ['priceRange', 'variantCount', 'options', 'variants', 'status', 'taxClass']

    const { applied } = await migrate(test.database, {
      migrations: {
        ...before,
        '004-product-variants': productVariants,
        '005-product-media': productMedia,
        '006-variant-prices': variantPrices,
        '007-product-status': productStatus,
        '008-tax-class-and-weight': taxClassAndWeight,
      },
    })
    expect(applied).toEqual([
      'service/004-product-variants',
      'service/005-product-media',
      'service/006-variant-prices',
      'service/007-product-status',
      'service/008-tax-class-and-weight',
    ])
    const { rows } = await sql<{ id: string; product_id: string; sku: string }>`
      select id, product_id, sku from variants order by sku`.execute(db)
    expect(rows).toEqual([
      { id: gone, product_id: gone, sku: 'GONE-1' },
      { id: lamp, product_id: lamp, sku: 'LAMP-1' },
    ])

    const store = createKyselyStore({
      database: test.database,
      outbox: createOutbox({ source: 'c' }),
    })
    const product = await createGetProduct({ store })(lamp)
    const { priceRange, variantCount, options, variants, status, taxClass, ...rest } = product
    expect(status).toBe('published')
    // Migration 008: every product from before is of the standard class, its variants 0 g.
    expect(taxClass).toBe('standard')
    expect(rest).toEqual(today)
    expect(Object.keys(product).sort()).toEqual([...Object.keys(today), ...added].sort())
    expect({ priceRange, variantCount, options, variants }).toEqual({
      priceRange: { min: today.price, max: today.price },
      variantCount: 1,
      options: [],
      variants: [
        {
          id: lamp,
          sku: 'LAMP-1',
          options: {},
          price: today.price,
          available: 9,
          imageUrl: today.imageUrl,
          weightGrams: 0,
        },
      ],
    })
    const list = await createListProducts({ store })({ category: 'lamps' })
    expect(list.items).toHaveLength(1)
    const {
      priceRange: range,
      variantCount: count,
      status: listedStatus,
      taxClass: listedTaxClass,
      ...listed
    } = list.items[0]!
    expect(listed).toEqual(today)
    expect([range, count, listedStatus, listedTaxClass]).toEqual([
      priceRange,
      1,
      'published',
      'standard',
    ])
    for (const [sort, minPrice] of [
      ['price_asc', 4599],
      ['price_desc', 4000],
      ['newest', 4599],
    ] as const) {
      const found = await createListProducts({ store })({ category: 'lamps', sort, minPrice })
      expect(
        found.items.map((p) => p.id),
        sort,
      ).toEqual([lamp])
    }
    // Both ends: its one price, in the multirange of its variants' prices (migration 006).
    const inRange = (minPrice: number, maxPrice: number) =>
      createListProducts({ store })({ category: 'lamps', sort: 'price_asc', minPrice, maxPrice })
    expect((await inRange(4000, 5000)).items.map((p) => p.id)).toEqual([lamp])
    expect((await inRange(100, 4000)).items).toEqual([])
    const { rows: prices } = await sql<{ prices: string }>`
      select variant_prices::text as prices from products where id = ${lamp}`.execute(db)
    expect(prices[0]!.prices).toBe('{[4599,4600)}')
    expect(await createGetStock({ store })(lamp)).toEqual({
      productId: lamp,
      onHand: 12,
      reserved: 3,
      available: 9,
    })

    // The hold from before commits from its variant; a new one names the product alone.
    const now = () => new Date()
    expect((await createCommitReservation({ reservations: store, now })(held)).lines).toEqual([
      { productId: lamp, quantity: 3 },
    ])
    const next = await createReserveStock({ reservations: store, now, ttlSeconds: 60 })(
      randomUUID(),
      [{ productId: lamp, quantity: 9 }],
    )
    expect(next).toMatchObject({ status: 'held', lines: [{ productId: lamp, quantity: 9 }] })
    expect(await createGetStock({ store })(lamp)).toMatchObject({
      onHand: 9,
      reserved: 9,
      available: 0,
    })
  })
})
