import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createInProcessBus,
  createOutbox,
  isAppError,
  migrate,
  startService,
  type DatabaseKind,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { createCatalogService, loadCatalogConfig, type CatalogService } from '../src/service.js'
import { createKyselyStore } from '../src/infra/kysely-store.js'
import { generateDemoCatalog } from '../src/domain/demo-catalog.js'
import { sagaConsumerTests } from './saga-consumers.js'
import { createTestTokens } from './test-tokens.js'

interface Reply {
  status: number
  headers: Headers
  body: any
}

/** A use case's answer as a route would give it: 200 and the result, or the error's status. */
async function useCase(run: () => Promise<unknown>): Promise<Reply> {
  try {
    return { status: 200, headers: new Headers(), body: await run() }
  } catch (error) {
    if (isAppError(error)) {
      return { status: error.status, headers: new Headers(), body: { code: error.code } }
    }
    throw error
  }
}

const ttlSeconds = 60

/**
 * API.md's Catalog table end to end over real HTTP, and the reservation use cases the saga's
 * consumers run, against one database kind: the service as the runtime starts it (migrations,
 * outbox relay, bus).
 */
export function catalogSuite(kind: DatabaseKind): void {
  describe(`catalog service on ${kind}: routes, store and saga consumers`, () => {
    const log = pino({ level: 'silent' })
    const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
    const tokens = createTestTokens()
    const admin = `Bearer ${tokens.token(['customer', 'admin'])}`
    const customer = `Bearer ${tokens.token(['customer'])}`
    let shiftMs = 0
    let testDb: TestDatabase
    let running: RunningService
    let service: CatalogService
    let gadgets: { id: string; slug: string }
    let books: { id: string; slug: string }

    async function call(
      method: string,
      path: string,
      body?: unknown,
      authorization?: string,
    ): Promise<Reply> {
      const headers: Record<string, string> = {}
      if (body !== undefined) headers['content-type'] = 'application/json'
      if (authorization) headers.authorization = authorization
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      let parsed: unknown = text
      try {
        parsed = text ? JSON.parse(text) : undefined
      } catch {
        // not JSON (an image)
      }
      return { status: response.status, headers: response.headers, body: parsed }
    }

    let skuCounter = 0
    async function createProduct(overrides: Record<string, unknown> = {}) {
      const reply = await call(
        'POST',
        '/products',
        {
          sku: `T-${kind}-${++skuCounter}-${randomUUID().slice(0, 8)}`,
          name: `Plain item ${skuCounter}`,
          description: 'An ordinary thing.',
          price: { amount: 1000 + skuCounter, currency: 'USD' },
          categoryId: gadgets.id,
          onHand: 10,
          ...overrides,
        },
        admin,
      )
      expect(reply.status, JSON.stringify(reply.body)).toBe(201)
      return reply.body as { id: string; sku: string; createdAt: string; available: number }
    }

    async function outboxOf(type: string, match: (data: any) => boolean = () => true) {
      const rows = await testDb.database.db
        .selectFrom('outbox')
        .select(['payload'])
        .where('type', '=', type)
        .execute()
      return rows
        .map((r: any) => JSON.parse(r.payload))
        .filter((envelope: any) => match(envelope.data))
    }

    async function stockOf(productId: string) {
      const row = await testDb.database.db
        .selectFrom('stock')
        .selectAll()
        .where('product_id', '=', productId)
        .executeTakeFirstOrThrow()
      return { onHand: Number(row.on_hand), reserved: Number(row.reserved) }
    }

    async function reservationOf(orderId: string) {
      const row = await testDb.database.db
        .selectFrom('reservations')
        .select('status')
        .where('order_id', '=', orderId)
        .executeTakeFirst()
      if (!row) return undefined
      const lines = await testDb.database.db
        .selectFrom('reservation_lines')
        .select(['product_id', 'quantity'])
        .where('order_id', '=', orderId)
        .orderBy('product_id')
        .execute()
      return {
        status: row.status as string,
        lines: lines.map((l) => ({ productId: l.product_id, quantity: Number(l.quantity) })),
      }
    }

    async function inboxCount(eventId: string) {
      const rows = await testDb.database.db
        .selectFrom('inbox')
        .select('event_id')
        .where('consumer', '=', 'catalog')
        .where('event_id', '=', eventId)
        .execute()
      return rows.length
    }

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      const config = loadCatalogConfig({
        CATALOG_DATABASE_URL: testDb.url,
        CATALOG_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
        CATALOG_RESERVATION_TTL_SECONDS: String(ttlSeconds),
        LOG_LEVEL: 'silent',
      })
      service = await createCatalogService(config, {
        log,
        database: testDb.database,
        verifier: tokens.verifier,
        now: () => new Date(Date.now() + shiftMs),
        expiryIntervalMs: 0,
      })
      running = await startService(service, { port: 0, log, bus })
      gadgets = { id: randomUUID(), slug: 'gadgets' }
      books = { id: randomUUID(), slug: 'books' }
      await testDb.database.db
        .insertInto('categories')
        .values([
          { ...gadgets, name: 'Gadgets' },
          { ...books, name: 'Books' },
        ])
        .execute()
    })

    afterAll(async () => {
      await running?.stopHttp()
      await running?.stopRelay()
      await running?.close()
      await bus.close()
      await testDb?.drop()
    })

    describe('products and categories', () => {
      it('lists categories', async () => {
        const reply = await call('GET', '/categories')
        expect(reply.status).toBe(200)
        expect(reply.body.items.map((c: any) => c.slug).sort()).toEqual(['books', 'gadgets'])
      })

      it('creates, reads, updates and deletes a product, with its events', async () => {
        const created = await createProduct({
          name: 'Walnut desk',
          price: { amount: 25000, currency: 'USD' },
        })
        expect(created).toMatchObject({ name: 'Walnut desk', available: 10 })
        expect(created).toMatchObject({
          category: { id: gadgets.id, slug: 'gadgets', name: 'Gadgets' },
          imageUrl: `/api/v1/products/${created.id}/image`,
        })
        const got = await call('GET', `/products/${created.id}`)
        expect(got.status).toBe(200)
        expect(got.body).toEqual(created)

        const patched = await call(
          'PATCH',
          `/products/${created.id}`,
          { price: { amount: 19999, currency: 'USD' }, categoryId: 'books' },
          admin,
        )
        expect(patched.status).toBe(200)
        expect(patched.body).toMatchObject({
          price: { amount: 19999 },
          category: { slug: 'books' },
        })

        const image = await call('GET', `/products/${created.id}/image`)
        expect(image.status).toBe(200)
        expect(image.headers.get('content-type')).toMatch(/^image\/svg\+xml/)
        expect(String(image.body)).toContain('<svg')

        expect((await call('DELETE', `/products/${created.id}`, undefined, admin)).status).toBe(204)
        expect((await call('GET', `/products/${created.id}`)).status).toBe(404)
        expect((await call('DELETE', `/products/${created.id}`, undefined, admin)).status).toBe(404)
        const listed = await call('GET', '/products?limit=100&category=books')
        expect(listed.body.items.map((p: any) => p.id)).not.toContain(created.id)

        const [createdEvent] = await outboxOf('product.created', (d) => d.productId === created.id)
        expect(createdEvent).toMatchObject({
          source: 'catalog',
          data: {
            sku: created.sku,
            price: { amount: 25000, currency: 'USD' },
            categoryId: gadgets.id,
          },
        })
        const [updated] = await outboxOf('product.updated', (d) => d.productId === created.id)
        expect(updated.data).toMatchObject({
          price: { amount: 19999 },
          previousPrice: { amount: 25000 },
          categoryId: books.id,
        })
        expect(await outboxOf('product.deleted', (d) => d.productId === created.id)).toHaveLength(1)
      })

      it('guards admin routes: 401 without or with a bad token, 403 for a customer', async () => {
        const body = {
          sku: 'X-1',
          name: 'x',
          price: { amount: 1, currency: 'USD' },
          categoryId: 'gadgets',
        }
        const none = await call('POST', '/products', body)
        expect(none.status).toBe(401)
        expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/)
        expect(none.headers.get('content-type')).toMatch(/application\/problem\+json/)
        const forged = `Bearer ${tokens.token(['admin'], { key: tokens.foreignKey })}`
        expect((await call('POST', '/products', body, forged)).status).toBe(401)
        const expired = `Bearer ${tokens.token(['admin'], { expiresIn: -60 })}`
        expect((await call('POST', '/products', body, expired)).status).toBe(401)
        const forbidden = await call('POST', '/products', body, customer)
        expect(forbidden.status).toBe(403)
        expect(forbidden.body).toMatchObject({ status: 403, code: 'AUTH.FORBIDDEN' })
        expect((await call('PATCH', '/products/x', { name: 'y' }, customer)).status).toBe(403)
        expect((await call('DELETE', '/products/x', undefined, customer)).status).toBe(403)
        expect((await call('PUT', '/products/x/stock', { onHand: 1 }, undefined)).status).toBe(401)
      })

      it('rejects bad bodies and duplicate SKUs', async () => {
        const product = await createProduct()
        const base = {
          sku: 'DUP-1',
          name: 'x',
          price: { amount: 1, currency: 'USD' },
          categoryId: 'gadgets',
        }
        const unknown = await call('POST', '/products', { ...base, role: 'admin' }, admin)
        expect(unknown.status).toBe(400)
        expect(unknown.body.errors.length).toBeGreaterThan(0)
        expect(
          (
            await call(
              'POST',
              '/products',
              { ...base, price: { amount: 1.5, currency: 'USD' } },
              admin,
            )
          ).status,
        ).toBe(400)
        expect(
          (await call('POST', '/products', { ...base, categoryId: 'nope' }, admin)).status,
        ).toBe(400)
        const dup = await call('POST', '/products', { ...base, sku: product.sku }, admin)
        expect(dup.status).toBe(409)
        expect(dup.body.code).toBe('CATALOG.SKU_TAKEN')
        expect((await call('PATCH', `/products/${product.id}`, { sku: 'Z' }, admin)).status).toBe(
          400,
        )
        expect((await call('PATCH', `/products/${product.id}`, {}, admin)).status).toBe(400)
        expect(
          (await call('PATCH', `/products/${randomUUID()}`, { name: 'n' }, admin)).status,
        ).toBe(404)
      })

      it('sets stock, never below what is reserved', async () => {
        const product = await createProduct({ onHand: 5 })
        const set = await call('PUT', `/products/${product.id}/stock`, { onHand: 8 }, admin)
        expect(set.status).toBe(200)
        expect(set.body).toEqual({ productId: product.id, onHand: 8, reserved: 0, available: 8 })
        const reserved = await useCase(() =>
          service.reserveStock(randomUUID(), [{ productId: product.id, quantity: 6 }]),
        )
        expect(reserved.body.status).toBe('held')
        const below = await call('PUT', `/products/${product.id}/stock`, { onHand: 5 }, admin)
        expect(below.status).toBe(409)
        expect(below.body.code).toBe('CATALOG.STOCK_BELOW_RESERVED')
        const ok = await call('PUT', `/products/${product.id}/stock`, { onHand: 6 }, admin)
        expect(ok.body).toEqual({ productId: product.id, onHand: 6, reserved: 6, available: 0 })
        expect((await call('GET', `/products/${product.id}`)).body.available).toBe(0)
        const read = await call('GET', `/products/${product.id}/stock`, undefined, admin)
        expect(read.status).toBe(200)
        expect(read.body).toEqual({ productId: product.id, onHand: 6, reserved: 6, available: 0 })
        expect(
          (await call('GET', `/products/${product.id}/stock`, undefined, customer)).status,
        ).toBe(403)
        expect((await call('GET', `/products/${product.id}/stock`)).status).toBe(401)
        expect(
          (await call('GET', `/products/${randomUUID()}/stock`, undefined, admin)).status,
        ).toBe(404)
        expect(
          (await call('PUT', `/products/${product.id}/stock`, { onHand: -1 }, admin)).status,
        ).toBe(400)
        expect(
          (await call('PUT', `/products/${randomUUID()}/stock`, { onHand: 1 }, admin)).status,
        ).toBe(404)
      })
    })

    describe('listing', () => {
      let listed: Array<{ id: string; price: number }>
      const category = { id: randomUUID(), slug: 'lamps' }

      beforeAll(async () => {
        await testDb.database.db
          .insertInto('categories')
          .values({ ...category, name: 'Lamps' })
          .execute()
        listed = []
        for (const amount of [500, 300, 900, 300, 700]) {
          const p = await createProduct({
            categoryId: category.id,
            price: { amount, currency: 'USD' },
          })
          listed.push({ id: p.id, price: amount })
        }
      })

      it('filters by category (slug or id) and price, and sorts', async () => {
        const bySlug = await call('GET', '/products?category=lamps')
        expect(bySlug.status).toBe(200)
        expect(bySlug.body.items).toHaveLength(5)
        expect(bySlug.body.nextCursor).toBeNull()
        // Newest first by default.
        expect(bySlug.body.items.map((p: any) => p.id)).toEqual(listed.map((p) => p.id).reverse())
        const byId = await call('GET', `/products?category=${category.id}&sort=newest`)
        expect(byId.body.items).toEqual(bySlug.body.items)

        const asc = await call('GET', '/products?category=lamps&sort=price_asc')
        expect(asc.body.items.map((p: any) => p.price.amount)).toEqual([300, 300, 500, 700, 900])
        const desc = await call('GET', '/products?category=lamps&sort=price_desc')
        expect(desc.body.items.map((p: any) => p.price.amount)).toEqual([900, 700, 500, 300, 300])
        const range = await call(
          'GET',
          '/products?category=lamps&minPrice=300&maxPrice=500&sort=price_asc',
        )
        expect(range.body.items.map((p: any) => p.price.amount)).toEqual([300, 300, 500])
        // relevance without q is newest.
        const relevance = await call('GET', '/products?category=lamps&sort=relevance')
        expect(relevance.body.items).toEqual(bySlug.body.items)
        expect((await call('GET', '/products?category=none')).body.items).toEqual([])
      })

      it('answers 400 problems for bad queries', async () => {
        for (const query of [
          'limit=101',
          'limit=0',
          'limit=abc',
          'sort=cheapest',
          'minPrice=-1',
          'minPrice=10&maxPrice=5',
          'cursor=not-a-cursor!',
          'cursor=eyJ4Ijox',
          `cursor=${Buffer.from(JSON.stringify(['price_asc', 1, 'x'])).toString('base64url')}`,
        ]) {
          const reply = await call('GET', `/products?${query}`)
          expect(reply.status, query).toBe(400)
          expect(reply.headers.get('content-type'), query).toMatch(/application\/problem\+json/)
          expect(reply.body.errors?.length, query).toBeGreaterThan(0)
        }
      })

      it('walks every page while products are added and removed, with no duplicate or miss', async () => {
        const walkCategory = { id: randomUUID(), slug: `walk-${kind}` }
        await testDb.database.db
          .insertInto('categories')
          .values({ ...walkCategory, name: 'Walk' })
          .execute()
        const initial: string[] = []
        for (let i = 0; i < 30; i++) {
          const p = await createProduct({
            categoryId: walkCategory.id,
            price: { amount: 100 * (i % 7), currency: 'USD' },
          })
          initial.push(p.id)
        }
        const doomed = initial.slice(0, 6)
        const survivors = initial.slice(6)
        for (const sort of ['newest', 'price_asc', 'price_desc']) {
          const seen: string[] = []
          let cursor: string | null = null
          let page = 0
          do {
            const query: string = `/products?category=${walkCategory.slug}&sort=${sort}&limit=4${cursor ? `&cursor=${cursor}` : ''}`
            const reply = await call('GET', query)
            expect(reply.status).toBe(200)
            seen.push(...reply.body.items.map((p: any) => p.id))
            cursor = reply.body.nextCursor
            // Meanwhile: new products arrive (cheap, dear and new), some old ones leave.
            await Promise.all([
              createProduct({ categoryId: walkCategory.id, price: { amount: 0, currency: 'USD' } }),
              createProduct({
                categoryId: walkCategory.id,
                price: { amount: 99_999, currency: 'USD' },
              }),
              page < doomed.length && sort === 'newest'
                ? call('DELETE', `/products/${doomed[page]}`, undefined, admin)
                : Promise.resolve(),
            ])
            page++
          } while (cursor && page < 100)
          expect(new Set(seen).size, sort).toBe(seen.length)
          for (const id of survivors) expect(seen, sort).toContain(id)
        }
      })
    })

    describe('search', () => {
      let nameMatch: string
      let descriptionMatch: string
      let typoTarget: string

      beforeAll(async () => {
        descriptionMatch = (
          await createProduct({
            name: 'Garden bench',
            description: 'Pairs well with a zephyr breeze.',
          })
        ).id
        nameMatch = (
          await createProduct({ name: 'Zephyr ceiling fan', description: 'Quiet and strong.' })
        ).id
        typoTarget = (
          await createProduct({ name: 'Quillfeather Hammock', description: 'For lazy afternoons.' })
        ).id
      })

      it('ranks name matches before description matches', async () => {
        const reply = await call('GET', '/products?q=zephyr')
        expect(reply.status).toBe(200)
        const ids = reply.body.items.map((p: any) => p.id)
        expect(ids).toContain(nameMatch)
        expect(ids).toContain(descriptionMatch)
        expect(ids.indexOf(nameMatch)).toBeLessThan(ids.indexOf(descriptionMatch))
        // Paging through the ranked list keeps the order.
        const first = await call('GET', '/products?q=zephyr&limit=1')
        expect(first.body.items[0].id).toBe(nameMatch)
        const second = await call(
          'GET',
          `/products?q=zephyr&limit=1&cursor=${first.body.nextCursor}`,
        )
        expect(second.status).toBe(200)
        expect(second.body.items[0].id).toBe(descriptionMatch)
      })

      it('treats any input as text', async () => {
        for (const q of [
          "'; drop table products; --",
          '"unterminated',
          "o'brien",
          '&|!():*',
          'fan & !(quiet | ) :* <-> \\',
          'zephyr -fan "ceiling fan" or',
          '%_%',
          '   ',
        ]) {
          const reply = await call('GET', `/products?q=${encodeURIComponent(q)}`)
          expect(reply.status, q).toBe(200)
        }
        expect((await call('GET', '/products?q=zephyr')).body.items.length).toBeGreaterThan(0)
      })

      it('tolerates typos with pg_trgm (PGlite loads it too)', async () => {
        const reply = await call('GET', '/products?q=hamock')
        expect(reply.status).toBe(200)
        expect(reply.body.items.map((p: any) => p.id)).toContain(typoTarget)
      })

      it('pages through a search widened for a typo', async () => {
        const more = [
          await createProduct({ name: 'Quillfeather Hammock Stand' }),
          await createProduct({ name: 'Quillfeather Hammock Pillow' }),
        ]
        const seen: string[] = []
        let cursor: string | null = null
        do {
          const reply: Reply = await call(
            'GET',
            `/products?q=hamock&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
          )
          expect(reply.status).toBe(200)
          seen.push(...reply.body.items.map((p: any) => p.id))
          cursor = reply.body.nextCursor
        } while (cursor && seen.length < 50)
        expect(new Set(seen).size).toBe(seen.length)
        for (const id of [typoTarget, ...more.map((p) => p.id)]) expect(seen).toContain(id)
      })
    })

    describe('reservations', () => {
      const reserve = (orderId: string, lines: Array<{ productId: string; quantity: number }>) =>
        useCase(() => service.reserveStock(orderId, lines))

      it('holds exactly the stock there is under 50 concurrent reservations', async () => {
        const product = await createProduct({ onHand: 10 })
        const orders = Array.from({ length: 50 }, () => randomUUID())
        const replies = await Promise.all(
          orders.map((orderId) => reserve(orderId, [{ productId: product.id, quantity: 1 }])),
        )
        expect(replies.every((r) => r.status === 200)).toBe(true)
        const held = replies.filter((r) => r.body.status === 'held')
        const rejected = replies.filter((r) => r.body.status === 'rejected')
        expect(held).toHaveLength(10)
        expect(rejected).toHaveLength(40)
        expect(rejected[0]!.body.shortLines).toEqual([
          { productId: product.id, requested: 1, available: 0 },
        ])
        expect(await stockOf(product.id)).toEqual({ onHand: 10, reserved: 10 })
        expect((await call('GET', `/products/${product.id}`)).body.available).toBe(0)
        const mine = new Set(orders)
        expect(await outboxOf('stock.reserved', (d) => mine.has(d.orderId))).toHaveLength(10)
        const rejections = await outboxOf('stock.rejected', (d) => mine.has(d.orderId))
        expect(rejections).toHaveLength(40)
        expect(rejections[0].data.shortLines[0]).toMatchObject({
          productId: product.id,
          requested: 1,
        })
      })

      it('never deadlocks on lines given in opposite orders', async () => {
        const a = await createProduct({ onHand: 100 })
        const b = await createProduct({ onHand: 100 })
        const replies = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            reserve(
              randomUUID(),
              i % 2
                ? [
                    { productId: a.id, quantity: 1 },
                    { productId: b.id, quantity: 1 },
                  ]
                : [
                    { productId: b.id, quantity: 1 },
                    { productId: a.id, quantity: 1 },
                  ],
            ),
          ),
        )
        expect(replies.map((r) => r.body.status)).toEqual(Array(20).fill('held'))
        expect(await stockOf(a.id)).toEqual({ onHand: 100, reserved: 20 })
        expect(await stockOf(b.id)).toEqual({ onHand: 100, reserved: 20 })
      })

      it('commits, releases and holds lines given in opposite orders at once, without deadlock', async () => {
        // A commit or a release moves every line's stock in one statement, which locks the
        // rows in the one order first: two-line orders in both orders, all at once.
        const a = await createProduct({ onHand: 100 })
        const b = await createProduct({ onHand: 100 })
        const linesOf = (i: number, quantity = 1) =>
          i % 2
            ? [
                { productId: a.id, quantity },
                { productId: b.id, quantity: quantity + 1 },
              ]
            : [
                { productId: b.id, quantity: quantity + 1 },
                { productId: a.id, quantity },
              ]
        const held = Array.from({ length: 16 }, () => randomUUID())
        for (const [i, orderId] of held.entries()) await reserve(orderId, linesOf(i))
        expect(await stockOf(a.id)).toEqual({ onHand: 100, reserved: 16 })
        expect(await stockOf(b.id)).toEqual({ onHand: 100, reserved: 32 })
        const replies = await Promise.all([
          ...held.map((orderId, i) =>
            useCase(() =>
              i % 4 < 2 ? service.commitReservation(orderId) : service.releaseReservation(orderId),
            ),
          ),
          ...Array.from({ length: 8 }, (_, i) => reserve(randomUUID(), linesOf(i, 2))),
        ])
        expect(replies.map((r) => r.status)).toEqual(Array(24).fill(200))
        expect(replies.map((r) => r.body.status)).toEqual([
          ...held.map((_, i) => (i % 4 < 2 ? 'committed' : 'released')),
          ...Array(8).fill('held'),
        ])
        // 8 orders committed (1 of a, 2 of b each), 8 new holds (2 of a, 3 of b each).
        expect(await stockOf(a.id)).toEqual({ onHand: 92, reserved: 16 })
        expect(await stockOf(b.id)).toEqual({ onHand: 84, reserved: 24 })
      })

      it('holds all lines or none', async () => {
        const plenty = await createProduct({ onHand: 5 })
        const scarce = await createProduct({ onHand: 1 })
        const orderId = randomUUID()
        const ghost = randomUUID()
        const reply = await reserve(orderId, [
          { productId: plenty.id, quantity: 2 },
          { productId: scarce.id, quantity: 2 },
          { productId: ghost, quantity: 1 },
        ])
        expect(reply.status).toBe(200)
        expect(reply.body.status).toBe('rejected')
        expect(reply.body.shortLines).toEqual(
          expect.arrayContaining([
            { productId: scarce.id, requested: 2, available: 1 },
            { productId: ghost, requested: 1, available: 0 },
          ]),
        )
        expect(reply.body.shortLines).toHaveLength(2)
        expect(await stockOf(plenty.id)).toEqual({ onHand: 5, reserved: 0 })
        expect(await stockOf(scarce.id)).toEqual({ onHand: 1, reserved: 0 })
        // Repeating a rejected reservation answers the same, with no second event.
        expect((await reserve(orderId, [{ productId: plenty.id, quantity: 1 }])).body).toEqual(
          reply.body,
        )
        expect(await outboxOf('stock.rejected', (d) => d.orderId === orderId)).toHaveLength(1)

        // Duplicate lines of one product count together.
        const merged = await reserve(randomUUID(), [
          { productId: plenty.id, quantity: 3 },
          { productId: plenty.id, quantity: 3 },
        ])
        expect(merged.body.shortLines).toEqual([
          { productId: plenty.id, requested: 6, available: 5 },
        ])
      })

      it('commits once, idempotently', async () => {
        const product = await createProduct({ onHand: 7 })
        const orderId = randomUUID()
        const first = await reserve(orderId, [{ productId: product.id, quantity: 3 }])
        expect(first.body).toMatchObject({
          status: 'held',
          lines: [{ productId: product.id, quantity: 3 }],
        })
        const again = await reserve(orderId, [{ productId: product.id, quantity: 3 }])
        expect(again.body).toEqual(first.body)
        expect(await stockOf(product.id)).toEqual({ onHand: 7, reserved: 3 })

        const committed = await useCase(() => service.commitReservation(orderId))
        expect(committed.status).toBe(200)
        expect(committed.body.status).toBe('committed')
        expect((await useCase(() => service.commitReservation(orderId))).body.status).toBe(
          'committed',
        )
        expect(await stockOf(product.id)).toEqual({ onHand: 4, reserved: 0 })
        const events = await outboxOf('stock.committed', (d) => d.orderId === orderId)
        expect(events).toHaveLength(1)
        expect(events[0].data).toEqual({ orderId, lines: [{ productId: product.id, quantity: 3 }] })
        expect(await outboxOf('stock.reserved', (d) => d.orderId === orderId)).toHaveLength(1)

        const release = await useCase(() => service.releaseReservation(orderId))
        expect(release.status).toBe(409)
        expect((await useCase(() => service.commitReservation(randomUUID()))).status).toBe(404)
      })

      it('releases once, idempotently', async () => {
        const product = await createProduct({ onHand: 4 })
        const orderId = randomUUID()
        await reserve(orderId, [{ productId: product.id, quantity: 4 }])
        expect(await stockOf(product.id)).toEqual({ onHand: 4, reserved: 4 })
        const released = await useCase(() => service.releaseReservation(orderId))
        expect(released.body.status).toBe('released')
        expect((await useCase(() => service.releaseReservation(orderId))).body.status).toBe(
          'released',
        )
        expect(await stockOf(product.id)).toEqual({ onHand: 4, reserved: 0 })
        const events = await outboxOf('stock.released', (d) => d.orderId === orderId)
        expect(events).toHaveLength(1)
        expect(events[0].data).toMatchObject({ orderId, reason: 'cancelled' })
        expect((await useCase(() => service.commitReservation(orderId))).status).toBe(409)
        // A released order cannot be held again by a replayed reserve.
        expect((await reserve(orderId, [{ productId: product.id, quantity: 1 }])).body.status).toBe(
          'released',
        )
      })

      it('expires holds past their time with the expiry job', async () => {
        const product = await createProduct({ onHand: 3 })
        const late = randomUUID()
        await reserve(late, [{ productId: product.id, quantity: 2 }])
        shiftMs += (ttlSeconds / 2) * 1000
        const fresh = randomUUID()
        await reserve(fresh, [{ productId: product.id, quantity: 1 }])
        // Holds of earlier tests may expire here on a slow machine: only this product's count.
        await service.expireReservations()
        expect(await stockOf(product.id)).toEqual({ onHand: 3, reserved: 3 })
        shiftMs += (ttlSeconds / 2 + 1) * 1000
        expect(await service.expireReservations()).toBeGreaterThanOrEqual(1)
        expect(await stockOf(product.id)).toEqual({ onHand: 3, reserved: 1 })
        const events = await outboxOf('stock.released', (d) => d.orderId === late)
        expect(events.map((e: any) => e.data.reason)).toEqual(['expired'])
        expect((await useCase(() => service.commitReservation(late))).status).toBe(409)
        expect((await useCase(() => service.commitReservation(fresh))).body.status).toBe(
          'committed',
        )
        expect(await stockOf(product.id)).toEqual({ onHand: 2, reserved: 0 })
      })

      it('answers a restocked reservation as restocked, holding nothing', async () => {
        const product = await createProduct({ onHand: 2 })
        const orderId = randomUUID()
        await reserve(orderId, [{ productId: product.id, quantity: 2 }])
        await useCase(() => service.commitReservation(orderId))
        await service.cancelReservation(orderId)
        expect(await stockOf(product.id)).toEqual({ onHand: 2, reserved: 0 })
        const again = await reserve(orderId, [{ productId: product.id, quantity: 2 }])
        expect(again.status).toBe(200)
        expect(again.body).toMatchObject({ status: 'restocked', expiresAt: null })
        expect((await useCase(() => service.releaseReservation(orderId))).body.status).toBe(
          'restocked',
        )
        expect((await useCase(() => service.commitReservation(orderId))).status).toBe(409)
        expect(await stockOf(product.id)).toEqual({ onHand: 2, reserved: 0 })
      })

      it('has no reservation API: stock moves only through the saga events', async () => {
        const product = await createProduct({ onHand: 3 })
        const orderId = randomUUID()
        const lines = [{ productId: product.id, quantity: 3 }]
        for (const path of [
          '/internal/reservations',
          `/internal/reservations/${orderId}/commit`,
          `/internal/reservations/${orderId}/release`,
        ]) {
          const reply = await call('POST', path, { orderId, lines })
          expect(reply.status, path).toBe(404)
          expect(reply.headers.get('content-type'), path).toContain('application/problem+json')
        }
        expect(await stockOf(product.id)).toEqual({ onHand: 3, reserved: 0 })
      })
    })

    sagaConsumerTests(() => ({
      bus,
      createProduct,
      stockOf,
      outboxOf,
      reservationOf,
      inboxCount,
    }))
  })
}

/** The demo catalog seeds once, deterministically, into an empty database. */
export function seedSuite(kind: DatabaseKind): void {
  describe(`demo catalog seed on ${kind}`, () => {
    let testDb: TestDatabase
    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      await migrate(testDb.database, { migrations: new URL('../migrations/', import.meta.url) })
    })
    afterAll(async () => testDb?.drop())

    it('seeds about 1,000 products over 12 categories once', async () => {
      const store = createKyselyStore({
        database: testDb.database,
        outbox: createOutbox({ source: 'catalog' }),
      })
      const demo = generateDemoCatalog()
      expect(await store.seedIfEmpty(demo, new Date())).toBe(true)
      expect(await store.seedIfEmpty(demo, new Date())).toBe(false)
      const { rows } = await sql<{ n: string }>`select count(*) as n from products`.execute(
        testDb.database.db,
      )
      expect(Number(rows[0]!.n)).toBe(demo.products.length)
      expect(await store.listCategories()).toHaveLength(12)
      const { rows: events } = await sql<{ n: string }>`
        select count(*) as n from outbox where type = 'product.created'`.execute(testDb.database.db)
      expect(Number(events[0]!.n)).toBe(demo.products.length)
    })
  })
}
