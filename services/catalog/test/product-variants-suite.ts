import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createInProcessBus,
  startService,
  type DatabaseKind,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { createCatalogService, loadCatalogConfig, type CatalogService } from '../src/service.js'
import { createTestTokens } from './test-tokens.js'
import { variantReservationTests } from './variant-reservations.js'

interface Reply {
  status: number
  body: any
}

/** What the variant tests share: the running service, its database and the admin's calls. */
export interface VariantsHarness {
  kind: DatabaseKind
  service: CatalogService
  testDb: TestDatabase
  bus: ReturnType<typeof createInProcessBus>
  call(method: string, path: string, body?: unknown, as?: 'admin' | 'customer'): Promise<Reply>
  /** Creates a product with the given options and variants (and anything else), 201 expected. */
  createTee(variants: unknown[], overrides?: Record<string, unknown>): Promise<any>
  stockOf(variantId: string): Promise<{ onHand: number; reserved: number }>
  outboxOf(type: string, match?: (data: any) => boolean): Promise<any[]>
}

export const teeOptions = [
  { name: 'Size', values: ['S', 'M', 'L', 'XL'] },
  { name: 'Colour', values: ['Black', 'Blue'] },
]

/**
 * Issue 17's product options and variants on one database kind, through the service as the
 * runtime starts it: the admin API, the product and its list, events, and (variant-reservations.ts)
 * stock held per variant, raced for.
 */
export function productVariantsSuite(kind: DatabaseKind): void {
  describe(`product options and variants on ${kind}`, () => {
    const log = pino({ level: 'silent' })
    const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
    const tokens = createTestTokens()
    const auth = {
      admin: `Bearer ${tokens.token(['customer', 'admin'])}`,
      customer: `Bearer ${tokens.token(['customer'])}`,
    }
    let testDb: TestDatabase
    let running: RunningService
    let service: CatalogService
    const category = { id: randomUUID(), slug: `wear-${kind}`, name: 'Wear' }
    let n = 0
    const unique = () => `${kind}-${++n}-${randomUUID().slice(0, 6)}`

    async function call(method: string, path: string, body?: unknown, as?: 'admin' | 'customer') {
      const headers: Record<string, string> = {}
      if (body !== undefined) headers['content-type'] = 'application/json'
      if (as) headers.authorization = auth[as]
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, body: text ? JSON.parse(text) : undefined }
    }

    const h: VariantsHarness = {
      kind,
      get service() {
        return service
      },
      get testDb() {
        return testDb
      },
      bus,
      call,
      async createTee(variants, overrides = {}) {
        const reply = await call(
          'POST',
          '/products',
          {
            sku: `TEE-${unique()}`,
            name: `Tee ${n}`,
            description: 'A tee.',
            price: { amount: 2000, currency: 'USD' },
            categoryId: category.id,
            options: teeOptions,
            variants,
            ...overrides,
          },
          'admin',
        )
        expect(reply.status, JSON.stringify(reply.body)).toBe(201)
        return reply.body
      },
      async stockOf(variantId) {
        const row = await testDb.database.db
          .selectFrom('stock')
          .select(['on_hand', 'reserved'])
          .where('variant_id', '=', variantId)
          .executeTakeFirstOrThrow()
        return { onHand: Number(row.on_hand), reserved: Number(row.reserved) }
      },
      async outboxOf(type, match = () => true) {
        const rows = await testDb.database.db
          .selectFrom('outbox')
          .select(['payload'])
          .where('type', '=', type)
          .orderBy('seq')
          .execute()
        return rows.map((r: any) => JSON.parse(r.payload)).filter((e: any) => match(e.data))
      },
    }
    const variant = (size: string, colour: string, extra: Record<string, unknown> = {}) => ({
      sku: `V-${unique()}`,
      options: { Size: size, Colour: colour },
      ...extra,
    })

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      service = await createCatalogService(
        loadCatalogConfig({
          CATALOG_DATABASE_URL: testDb.url,
          CATALOG_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
          LOG_LEVEL: 'silent',
        }),
        { log, database: testDb.database, verifier: tokens.verifier, expiryIntervalMs: 0 },
      )
      running = await startService(service, { port: 0, log, bus })
      await testDb.database.db.insertInto('categories').values(category).execute()
    })

    afterAll(async () => {
      await running?.stopHttp()
      await running?.stopRelay()
      await running?.close()
      await bus.close()
      await testDb?.drop()
    })

    it('creates a product with options and variants, shown once in lists with its price range', async () => {
      const tee = await h.createTee([
        variant('S', 'Black', { onHand: 3 }),
        variant('M', 'Blue', { onHand: 2, price: { amount: 2500, currency: 'USD' } }),
        // Values in any key order; the answer lists them in the options' order.
        { ...variant('L', 'Black'), options: { Colour: 'Black', Size: 'L' } },
      ])
      expect(tee).toMatchObject({
        price: { amount: 2000, currency: 'USD' },
        priceRange: { min: { amount: 2000 }, max: { amount: 2500 } },
        available: 5,
        variantCount: 3,
        options: teeOptions,
      })
      const [first, second, third] = tee.variants
      // The first variant has the product's id: a line naming the product alone names it.
      expect(first).toMatchObject({ id: tee.id, label: 'S / Black', available: 3 })
      expect(first.imageUrl).toBe(tee.imageUrl)
      expect(second).toMatchObject({ label: 'M / Blue', price: { amount: 2500 }, available: 2 })
      expect(Object.keys(third.options)).toEqual(['Size', 'Colour'])
      expect(third).toMatchObject({ label: 'L / Black', available: 0 })
      expect((await call('GET', `/products/${tee.id}`)).body).toEqual(tee)

      const listed = await call('GET', `/products?category=${category.slug}&limit=100`)
      const rows = listed.body.items.filter((p: any) => p.id === tee.id)
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({
        price: { amount: 2000 },
        priceRange: { min: { amount: 2000 }, max: { amount: 2500 } },
        variantCount: 3,
        available: 5,
      })
      expect(rows[0].variants).toBeUndefined()

      const [created] = await h.outboxOf('product.created', (d) => d.productId === tee.id)
      expect(created.data.variants).toEqual(
        tee.variants.map((v: any) => ({
          variantId: v.id,
          sku: v.sku,
          price: v.price,
          label: v.label,
          options: v.options,
          weightGrams: 0,
        })),
      )
    })

    it('refuses bad options and variants with 4xx problems, writing nothing', async () => {
      const taken = await h.createTee([variant('S', 'Black')])
      const base = {
        name: 'Refused tee',
        price: { amount: 2000, currency: 'USD' },
        categoryId: category.id,
        options: teeOptions,
      }
      const refusals: Array<[string, Record<string, unknown>, number, string]> = [
        [
          'values not listed',
          { variants: [variant('XXL', 'Black')] },
          422,
          'CATALOG.INVALID_VARIANT_OPTIONS',
        ],
        [
          'an option missing',
          { variants: [{ sku: `V-${unique()}`, options: { Size: 'S' } }] },
          422,
          'CATALOG.INVALID_VARIANT_OPTIONS',
        ],
        [
          'a choice twice',
          { variants: [variant('S', 'Blue'), variant('S', 'Blue')] },
          422,
          'CATALOG.DUPLICATE_VARIANT',
        ],
        [
          'a SKU twice',
          {
            variants: [
              variant('S', 'Blue', { sku: 'TWICE' }),
              variant('M', 'Blue', { sku: 'TWICE' }),
            ],
          },
          422,
          'CATALOG.DUPLICATE_SKU',
        ],
        ['options, no variants', {}, 422, 'CATALOG.VARIANTS_REQUIRED'],
        [
          'product onHand with variants',
          { variants: [variant('S', 'Blue')], onHand: 3 },
          422,
          'CATALOG.STOCK_PER_VARIANT',
        ],
        [
          'an option named twice',
          {
            options: [...teeOptions, { name: 'size', values: ['x'] }],
            variants: [variant('S', 'Blue')],
          },
          422,
          'CATALOG.INVALID_OPTIONS',
        ],
        [
          'another currency',
          { variants: [variant('S', 'Blue', { price: { amount: 1, currency: 'EUR' } })] },
          422,
          'CATALOG.CURRENCY_MISMATCH',
        ],
        [
          "another variant's SKU",
          {
            variants: [variant('S', 'Blue'), variant('M', 'Blue', { sku: taken.variants[0].sku })],
          },
          409,
          'CATALOG.SKU_TAKEN',
        ],
        [
          "another product's SKU",
          { variants: [variant('S', 'Blue', { sku: taken.sku })] },
          409,
          'CATALOG.SKU_TAKEN',
        ],
        [
          'a SKU taken by a variant',
          { sku: taken.variants[0].sku, variants: [variant('S', 'Blue')] },
          409,
          'CATALOG.SKU_TAKEN',
        ],
        [
          'an unknown field',
          { variants: [variant('S', 'Blue', { stock: 3 })] },
          400,
          'VALIDATION.FAILED',
        ],
      ]
      for (const [what, body, status, code] of refusals) {
        const sku = `REFUSED-${unique()}`
        const reply = await call('POST', '/products', { sku, ...base, ...body }, 'admin')
        expect(reply.status, what).toBe(status)
        if (status !== 400) expect(reply.body.code, what).toBe(code)
        expect(reply.body.errors?.length ?? 1, what).toBeGreaterThan(0)
        const { rows } = await sql<{ n: number }>`
          select (select count(*) from products where sku = ${sku})::int
            + (select count(*) from variants v join products p on p.id = v.product_id
               where p.name = 'Refused tee')::int as n`.execute(testDb.database.db)
        expect(rows[0]!.n, what).toBe(0)
      }
      expect(await h.outboxOf('product.created', (d) => d.name === 'Refused tee')).toEqual([])
    })

    it("adds and changes variants: the product's price range and events follow", async () => {
      const tee = await h.createTee([variant('S', 'Black', { onHand: 1 })])
      const path = `/products/${tee.id}/variants`
      const added = await call(
        'POST',
        path,
        variant('XL', 'Blue', { price: { amount: 2600, currency: 'USD' }, onHand: 4 }),
        'admin',
      )
      expect(added.status).toBe(201)
      expect(added.body).toMatchObject({
        label: 'XL / Blue',
        available: 4,
        price: { amount: 2600 },
      })
      // Without a price, the product's.
      const plain = await call('POST', path, variant('M', 'Black'), 'admin')
      expect(plain.body.price).toEqual({ amount: 2000, currency: 'USD' })
      for (const [body, status, code] of [
        [variant('XL', 'Blue'), 409, 'CATALOG.VARIANT_EXISTS'],
        [variant('XXL', 'Blue'), 422, 'CATALOG.INVALID_VARIANT_OPTIONS'],
        [variant('L', 'Blue', { sku: tee.sku }), 409, 'CATALOG.SKU_TAKEN'],
        [
          variant('L', 'Blue', { price: { amount: 1, currency: 'GBP' } }),
          422,
          'CATALOG.CURRENCY_MISMATCH',
        ],
      ] as const) {
        const reply = await call('POST', path, body, 'admin')
        expect([reply.status, reply.body.code]).toEqual([status, code])
      }
      expect((await call('POST', path, variant('L', 'Blue'), 'customer')).status).toBe(403)
      expect(
        (await call('POST', `/products/${randomUUID()}/variants`, variant('L', 'Blue'), 'admin'))
          .status,
      ).toBe(404)

      let product = (await call('GET', `/products/${tee.id}`)).body
      expect(product.variantCount).toBe(3)
      expect(product.priceRange).toEqual({
        min: { amount: 2000, currency: 'USD' },
        max: { amount: 2600, currency: 'USD' },
      })
      // The cheapest gets cheaper: the product's price follows, and product.updated says so.
      const cheaper = await call(
        'PATCH',
        `${path}/${plain.body.id}`,
        { price: { amount: 1500, currency: 'USD' }, sku: `NEW-${unique()}` },
        'admin',
      )
      expect(cheaper.status).toBe(200)
      product = (await call('GET', `/products/${tee.id}`)).body
      expect(product.price).toEqual({ amount: 1500, currency: 'USD' })
      const updates = await h.outboxOf('product.updated', (d) => d.productId === tee.id)
      expect(updates.at(-1).data).toMatchObject({
        price: { amount: 1500 },
        previousPrice: { amount: 2000 },
      })
      expect(updates.at(-1).data.variants).toHaveLength(3)
      expect(
        (await call('PATCH', `${path}/${plain.body.id}`, { sku: added.body.sku }, 'admin')).body
          .code,
      ).toBe('CATALOG.SKU_TAKEN')
      expect((await call('PATCH', `${path}/${randomUUID()}`, { sku: 'X' }, 'admin')).status).toBe(
        404,
      )
      expect((await call('PATCH', `${path}/${plain.body.id}`, {}, 'admin')).status).toBe(400)

      // A product without options has its one variant: no second.
      const single = await call(
        'POST',
        '/products',
        {
          sku: `ONE-${unique()}`,
          name: 'One',
          price: { amount: 900, currency: 'USD' },
          categoryId: category.id,
        },
        'admin',
      )
      const second = await call(
        'POST',
        `/products/${single.body.id}/variants`,
        { sku: `ONE-${unique()}`, options: {} },
        'admin',
      )
      expect([second.status, second.body.code]).toEqual([422, 'CATALOG.NO_OPTIONS'])
    })

    it("keeps a product's price and stock routes for one variant, and points several to each", async () => {
      const tee = await h.createTee([
        variant('S', 'Black', { onHand: 2 }),
        variant('M', 'Black', { onHand: 5 }),
      ])
      const price = await call(
        'PATCH',
        `/products/${tee.id}`,
        { price: { amount: 1, currency: 'USD' } },
        'admin',
      )
      expect([price.status, price.body.code]).toEqual([409, 'CATALOG.PRICE_PER_VARIANT'])
      expect(
        (await call('PATCH', `/products/${tee.id}`, { name: 'Renamed tee' }, 'admin')).status,
      ).toBe(200)
      const stock = await call('PUT', `/products/${tee.id}/stock`, { onHand: 9 }, 'admin')
      expect([stock.status, stock.body.code]).toEqual([409, 'CATALOG.STOCK_PER_VARIANT'])
      // The product's stock: its variants' sums.
      expect((await call('GET', `/products/${tee.id}/stock`, undefined, 'admin')).body).toEqual({
        productId: tee.id,
        onHand: 7,
        reserved: 0,
        available: 7,
      })
      const m = tee.variants[1].id
      const set = await call(
        'PUT',
        `/products/${tee.id}/variants/${m}/stock`,
        { onHand: 1 },
        'admin',
      )
      expect(set.body).toEqual({
        productId: tee.id,
        variantId: m,
        onHand: 1,
        reserved: 0,
        available: 1,
      })
      expect(
        (await call('GET', `/products/${tee.id}/variants/${m}/stock`, undefined, 'admin')).body,
      ).toEqual(set.body)
      expect(
        (await call('GET', `/products/${tee.id}/variants/${m}/stock`, undefined, 'customer'))
          .status,
      ).toBe(403)
      expect(
        (
          await call(
            'PUT',
            `/products/${tee.id}/variants/${randomUUID()}/stock`,
            { onHand: 1 },
            'admin',
          )
        ).status,
      ).toBe(404)
      // Not another product's variant.
      const other = await h.createTee([variant('S', 'Blue')])
      expect(
        (await call('GET', `/products/${other.id}/variants/${m}/stock`, undefined, 'admin')).status,
      ).toBe(404)
      const held = await service.reserveStock(randomUUID(), [
        { productId: tee.id, variantId: m, quantity: 1 },
      ])
      expect(held.status).toBe('held')
      const below = await call(
        'PUT',
        `/products/${tee.id}/variants/${m}/stock`,
        { onHand: 0 },
        'admin',
      )
      expect([below.status, below.body.code]).toEqual([409, 'CATALOG.STOCK_BELOW_RESERVED'])
      expect((await call('GET', `/products/${tee.id}`)).body.variants[1].available).toBe(0)
    })

    it("filters by any variant's price and sorts by the cheapest, page after page", async () => {
      const shelf = { id: randomUUID(), slug: `shelf-${kind}`, name: 'Shelf' }
      await testDb.database.db.insertInto('categories').values(shelf).execute()
      const at = (amount: number) => ({ price: { amount, currency: 'USD' } })
      const single = async (amount: number) =>
        (
          await call(
            'POST',
            '/products',
            { sku: `P-${unique()}`, name: 'Shelf thing', ...at(amount), categoryId: shelf.id },
            'admin',
          )
        ).body.id as string
      const a = await single(1500)
      const c = await single(2500)
      const b = (
        await h.createTee([variant('S', 'Black', at(1000)), variant('M', 'Black', at(3000))], {
          categoryId: shelf.id,
        })
      ).id
      const d = (
        await h.createTee([variant('S', 'Black', at(2000)), variant('M', 'Black', at(2000))], {
          categoryId: shelf.id,
        })
      ).id
      const ids = async (query: string) =>
        (await call('GET', `/products?category=${shelf.slug}&${query}`)).body.items.map(
          (p: any) => p.id,
        )
      expect(await ids('sort=price_asc')).toEqual([b, a, d, c])
      expect(await ids('sort=price_desc')).toEqual([c, d, a, b])
      expect(await ids('sort=price_asc&minPrice=2000')).toEqual([b, d, c])
      expect(await ids('sort=price_asc&maxPrice=1200')).toEqual([b])
      // Between b's two prices: none of its variants is in the range.
      expect(await ids('sort=price_asc&minPrice=1200&maxPrice=1800')).toEqual([a])
      expect(await ids('sort=price_asc&minPrice=2800&maxPrice=3200')).toEqual([b])
      expect(new Set(await ids('sort=newest&minPrice=2600'))).toEqual(new Set([b]))
      expect(new Set(await ids('q=tee&minPrice=2800'))).toEqual(new Set([b]))
      // Pages through both halves of a price floor, one product a page.
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const reply: Reply = await call(
          'GET',
          `/products?category=${shelf.slug}&sort=price_asc&minPrice=1400&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        )
        seen.push(...reply.body.items.map((p: any) => p.id))
        cursor = reply.body.nextCursor
      } while (cursor && seen.length < 10)
      expect(seen).toEqual([b, a, d, c])
      // And backwards: the products cheaper than the floor (b) come last, after a full page.
      const back: string[] = []
      cursor = null
      do {
        const reply: Reply = await call(
          'GET',
          `/products?category=${shelf.slug}&sort=price_desc&minPrice=1400&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        )
        back.push(...reply.body.items.map((p: any) => p.id))
        cursor = reply.body.nextCursor
      } while (cursor && back.length < 10)
      expect(back).toEqual([c, d, a, b])
      expect(await ids('sort=price_desc&minPrice=1400')).toEqual([c, d, a, b])
      // A variant's new price moves its product into a range between its cheapest and dearest.
      const bVariants = (await call('GET', `/products/${b}`)).body.variants
      expect(await ids('sort=price_asc&minPrice=1900&maxPrice=2100')).toEqual([d])
      await call('POST', `/products/${b}/variants`, variant('L', 'Black', at(2050)), 'admin')
      expect(await ids('sort=price_asc&minPrice=1900&maxPrice=2100')).toEqual([b, d])
      await call('PATCH', `/products/${b}/variants/${bVariants[1].id}`, at(2990), 'admin')
      expect(await ids('sort=price_asc&minPrice=2900&maxPrice=2995')).toEqual([b])
    })

    variantReservationTests(kind, () => h)
  })
}
