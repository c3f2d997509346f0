import { randomUUID } from 'node:crypto'
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

interface Reply {
  status: number
  body: any
}

/**
 * Issue 17's catalogue tools for the back office on one database kind, through the service as
 * the runtime starts it: categories created and changed by admins (409 on a taken slug, 403 for
 * others), products as drafts that no shopper sees (list, search, suggestions, facets, read,
 * reservation) until published, and their events in the outbox.
 */
export function backOfficeSuite(kind: DatabaseKind): void {
  describe(`back-office catalogue tools on ${kind}`, () => {
    const log = pino({ level: 'silent' })
    const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
    const tokens = createTestTokens()
    const auth = {
      admin: `Bearer ${tokens.token(['customer', 'admin'])}`,
      customer: `Bearer ${tokens.token(['customer'])}`,
      anonymous: undefined,
    }
    type Who = keyof typeof auth
    let testDb: TestDatabase
    let running: RunningService
    let service: CatalogService
    const unique = () => randomUUID().slice(0, 8)

    async function call(method: string, path: string, body?: unknown, as: Who = 'anonymous') {
      const headers: Record<string, string> = {}
      if (body !== undefined) headers['content-type'] = 'application/json'
      if (auth[as]) headers.authorization = auth[as]
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return {
        status: response.status,
        body: text ? JSON.parse(text) : undefined,
        type: response.headers.get('content-type'),
      }
    }

    async function outboxOf(type: string, match: (data: any) => boolean = () => true) {
      const rows = await testDb.database.db
        .selectFrom('outbox')
        .select(['payload'])
        .where('type', '=', type)
        .orderBy('seq')
        .execute()
      return rows.map((r: any) => JSON.parse(r.payload).data).filter(match)
    }

    async function newCategory(name = `Lamps ${unique()}`) {
      const slug = `lamps-${unique()}`
      const reply = await call('POST', '/categories', { name, slug }, 'admin')
      expect(reply.status, JSON.stringify(reply.body)).toBe(201)
      return reply.body as { id: string; name: string; slug: string }
    }

    async function newProduct(categoryId: string, extra: Record<string, unknown> = {}) {
      const word = `zeppelinlamp${unique().replace(/[^a-z]/g, '')}`
      const reply = await call(
        'POST',
        '/products',
        {
          sku: `BO-${unique()}`,
          name: `Brass ${word}`,
          description: 'A lamp in brass.',
          price: { amount: 4200, currency: 'USD' },
          categoryId,
          onHand: 5,
          ...extra,
        },
        'admin',
      )
      expect(reply.status, JSON.stringify(reply.body)).toBe(201)
      return { ...(reply.body as { id: string; status: string; name: string }), word }
    }

    /** What each kind of reader finds of a product: list, category, search, suggestions, facets, read. */
    async function seenBy(who: Who, product: { id: string; word: string }, slug: string) {
      const ids = (r: Reply) => (r.body.items as { id: string }[]).map((p) => p.id)
      const listed = await call('GET', '/products?limit=100', undefined, who)
      const inCategory = await call('GET', `/products?category=${slug}`, undefined, who)
      const searched = await call('GET', `/products?q=${product.word}`, undefined, who)
      const suggested = await call('GET', `/products/suggestions?q=${product.word}`, undefined, who)
      const facets = await call('GET', `/products/facets?category=${slug}`, undefined, who)
      const read = await call('GET', `/products/${product.id}`, undefined, who)
      return {
        listed: ids(listed).includes(product.id),
        inCategory: ids(inCategory).includes(product.id),
        searched: ids(searched).includes(product.id),
        suggested: ids(suggested).includes(product.id),
        counted: facets.body.total as number,
        read: read.status,
      }
    }

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
    })

    afterAll(async () => {
      await running?.stopHttp()
      await running?.stopRelay()
      await running?.close()
      await bus.close()
      await testDb?.drop()
    })

    describe('categories', () => {
      it('creates a category that lists and filters products, with its event', async () => {
        const category = await newCategory('Desk lamps')
        const listed = await call('GET', '/categories')
        expect(listed.body.items).toContainEqual(category)
        const product = await newProduct(category.slug)
        for (const key of [category.slug, category.id]) {
          const page = await call('GET', `/products?category=${key}`)
          expect(page.body.items.map((p: any) => p.id)).toEqual([product.id])
        }
        expect(await outboxOf('category.created', (d) => d.categoryId === category.id)).toEqual([
          { categoryId: category.id, name: 'Desk lamps', slug: category.slug },
        ])
      })

      it('renames and re-slugs a category: the new slug filters, the old finds nothing', async () => {
        const category = await newCategory()
        const product = await newProduct(category.id)
        const slug = `reading-lights-${unique()}`
        const renamed = await call(
          'PATCH',
          `/categories/${category.id}`,
          { name: 'Reading lights', slug },
          'admin',
        )
        expect(renamed.status).toBe(200)
        expect(renamed.body).toEqual({ id: category.id, name: 'Reading lights', slug })
        const bySlug = await call('GET', `/products?category=${slug}`)
        expect(bySlug.body.items.map((p: any) => p.id)).toEqual([product.id])
        expect(bySlug.body.items[0].category).toEqual(renamed.body)
        expect((await call('GET', `/products?category=${category.slug}`)).body.items).toEqual([])
        const named = await call('PATCH', `/categories/${category.id}`, { name: 'Lights' }, 'admin')
        expect(named.body).toEqual({ id: category.id, name: 'Lights', slug })
        expect(
          (await outboxOf('category.updated', (d) => d.categoryId === category.id)).map(
            (d) => d.name,
          ),
        ).toEqual(['Reading lights', 'Lights'])
      })

      it("answers 409 for a slug taken (or another category's id), writing nothing", async () => {
        const first = await newCategory()
        const second = await newCategory()
        const taken = await call(
          'POST',
          '/categories',
          { name: 'Again', slug: first.slug },
          'admin',
        )
        expect(taken.status).toBe(409)
        expect(taken.type).toMatch(/^application\/problem\+json/)
        expect(taken.body.code).toBe('CATALOG.SLUG_TAKEN')
        const moved = await call('PATCH', `/categories/${second.id}`, { slug: first.slug }, 'admin')
        expect(moved.status).toBe(409)
        expect(moved.body.code).toBe('CATALOG.SLUG_TAKEN')
        // A slug that is another category's id would make `?category=` ambiguous.
        const clash = await call('POST', '/categories', { name: 'Id', slug: first.id }, 'admin')
        expect(clash.status).toBe(409)
        expect(clash.body.code).toBe('CATALOG.SLUG_TAKEN')
        // Its own slug again is no clash.
        const same = await call('PATCH', `/categories/${first.id}`, { slug: first.slug }, 'admin')
        expect(same.status).toBe(200)
        const names = (await call('GET', '/categories')).body.items.map((c: any) => c.name)
        expect(names).not.toContain('Again')
      })

      it('refuses bad bodies with 400 problems and unknown ids with 404', async () => {
        const category = await newCategory()
        const bad: unknown[] = [
          {},
          { name: 'No slug' },
          { name: '', slug: 'empty-name' },
          { name: 'Upper', slug: 'Lamps' },
          { name: 'Spaces', slug: 'desk lamps' },
          { name: 'Dashes', slug: '-lamps' },
          { name: 'Double', slug: 'desk--lamps' },
          { name: 'Control\u0007', slug: 'bell' },
          { name: 'Extra', slug: 'extra', colour: 'red' },
          { name: 'Long', slug: 'a'.repeat(101) },
        ]
        for (const body of bad) {
          const reply = await call('POST', '/categories', body, 'admin')
          expect(reply.status, JSON.stringify(body)).toBe(400)
          expect(reply.type).toMatch(/^application\/problem\+json/)
        }
        const empty = await call('PATCH', `/categories/${category.id}`, {}, 'admin')
        expect(empty.status).toBe(400)
        const badSlug = await call('PATCH', `/categories/${category.id}`, { slug: 'A B' }, 'admin')
        expect(badSlug.status).toBe(400)
        const unknown = await call('PATCH', `/categories/${randomUUID()}`, { name: 'X' }, 'admin')
        expect(unknown.status).toBe(404)
        expect(unknown.body.code).toBe('CATALOG.CATEGORY_NOT_FOUND')
      })

      it('lets only admins write: 401 without a token, 403 for a customer', async () => {
        const category = await newCategory()
        const body = { name: 'Nope', slug: `nope-${unique()}` }
        expect((await call('POST', '/categories', body)).status).toBe(401)
        expect((await call('POST', '/categories', body, 'customer')).status).toBe(403)
        expect((await call('PATCH', `/categories/${category.id}`, body)).status).toBe(401)
        expect((await call('PATCH', `/categories/${category.id}`, body, 'customer')).status).toBe(
          403,
        )
        const slugs = (await call('GET', '/categories')).body.items.map((c: any) => c.slug)
        expect(slugs).not.toContain(body.slug)
      })
    })

    describe('drafts', () => {
      it('publishes a product created without a status at once (as before drafts)', async () => {
        const category = await newCategory()
        const product = await newProduct(category.id)
        expect(product.status).toBe('published')
        expect(await seenBy('anonymous', product, category.slug)).toEqual({
          listed: true,
          inCategory: true,
          searched: true,
          suggested: true,
          counted: 1,
          read: 200,
        })
      })

      it('hides a draft from shoppers, shows it to admins, and publishes it', async () => {
        const category = await newCategory()
        const draft = await newProduct(category.id, { status: 'draft' })
        expect(draft.status).toBe('draft')
        const hidden = {
          listed: false,
          inCategory: false,
          searched: false,
          suggested: false,
          counted: 0,
          read: 404,
        }
        expect(await seenBy('anonymous', draft, category.slug)).toEqual(hidden)
        expect(await seenBy('customer', draft, category.slug)).toEqual(hidden)
        // An admin reads it, and lists it by status; the default list is the shoppers'.
        const read = await call('GET', `/products/${draft.id}`, undefined, 'admin')
        expect(read.status).toBe(200)
        expect(read.body.status).toBe('draft')
        const drafts = await call('GET', '/products?status=draft&limit=100', undefined, 'admin')
        expect(drafts.body.items.map((p: any) => p.id)).toContain(draft.id)
        expect(drafts.body.items.every((p: any) => p.status === 'draft')).toBe(true)
        const all = await call(
          'GET',
          `/products?status=all&category=${category.id}`,
          undefined,
          'admin',
        )
        expect(all.body.items.map((p: any) => p.id)).toEqual([draft.id])
        const published = await call(
          'GET',
          '/products?status=published&limit=100',
          undefined,
          'admin',
        )
        expect(published.body.items.map((p: any) => p.id)).not.toContain(draft.id)

        const publish = await call(
          'PATCH',
          `/products/${draft.id}`,
          { status: 'published' },
          'admin',
        )
        expect(publish.status).toBe(200)
        expect(publish.body.status).toBe('published')
        expect(await seenBy('anonymous', draft, category.slug)).toEqual({
          listed: true,
          inCategory: true,
          searched: true,
          suggested: true,
          counted: 1,
          read: 200,
        })

        const unpublish = await call('PATCH', `/products/${draft.id}`, { status: 'draft' }, 'admin')
        expect(unpublish.body.status).toBe('draft')
        expect(await seenBy('customer', draft, category.slug)).toEqual(hidden)
      })

      it('records its status in the outbox: created as a draft, published, unpublished', async () => {
        const category = await newCategory()
        const draft = await newProduct(category.id, { status: 'draft' })
        await call('PATCH', `/products/${draft.id}`, { status: 'published' }, 'admin')
        await call('PATCH', `/products/${draft.id}`, { status: 'draft' }, 'admin')
        const mine = (d: any) => d.productId === draft.id
        expect((await outboxOf('product.created', mine)).map((d) => d.status)).toEqual(['draft'])
        expect((await outboxOf('product.updated', mine)).map((d) => d.status)).toEqual([
          'published',
          'draft',
        ])
      })

      it('refuses a draft to the cart (404, as an unknown product) and to a reservation', async () => {
        const category = await newCategory()
        const draft = await newProduct(category.id, { status: 'draft', onHand: 5 })
        // The cart reads a product as the catalog's internal client does: without a token.
        const read = await call('GET', `/products/${draft.id}`)
        const unknown = await call('GET', `/products/${randomUUID()}`)
        expect(read.status).toBe(404)
        expect(read.body.code).toBe(unknown.body.code)
        const line = [{ productId: draft.id, quantity: 1 }]
        const refused = await service.reserveStock(randomUUID(), line)
        expect(refused.status).toBe('rejected')
        expect(refused.shortLines).toEqual([
          expect.objectContaining({ productId: draft.id, requested: 1, available: 0 }),
        ])
        await call('PATCH', `/products/${draft.id}`, { status: 'published' }, 'admin')
        expect((await service.reserveStock(randomUUID(), line)).status).toBe('held')
      })

      it('lets only admins list by status: 401 without a token, 403 for a customer, 400 for a bad one', async () => {
        expect((await call('GET', '/products?status=draft')).status).toBe(401)
        const customer = await call('GET', '/products?status=all', undefined, 'customer')
        expect(customer.status).toBe(403)
        expect(customer.type).toMatch(/^application\/problem\+json/)
        expect((await call('GET', '/products?status=hidden', undefined, 'admin')).status).toBe(400)
        const bad = await call('POST', '/products', { status: 'secret' }, 'admin')
        expect(bad.status).toBe(400)
        const category = await newCategory()
        const product = await newProduct(category.id)
        const patch = await call('PATCH', `/products/${product.id}`, { status: 'gone' }, 'admin')
        expect(patch.status).toBe(400)
        expect((await call('GET', `/products/${product.id}`)).body.status).toBe('published')
      })

      it("keeps a draft's gallery from shoppers, not from admins", async () => {
        const category = await newCategory()
        const draft = await newProduct(category.id, { status: 'draft' })
        const path = `/products/${draft.id}/media`
        expect((await call('GET', path)).status).toBe(404)
        expect((await call('GET', path, undefined, 'customer')).status).toBe(404)
        expect(await call('GET', path, undefined, 'admin')).toMatchObject({
          status: 200,
          body: { items: [] },
        })
        await call('PATCH', `/products/${draft.id}`, { status: 'published' }, 'admin')
        expect((await call('GET', path)).status).toBe(200)
      })

      it('reads a draft as a shopper would with a bad or a customer token (404, not 401)', async () => {
        const category = await newCategory()
        const draft = await newProduct(category.id, { status: 'draft' })
        const stale = await fetch(`${running.url}/products/${draft.id}`, {
          headers: { authorization: 'Bearer not.a.token' },
        })
        expect(stale.status).toBe(404)
        const product = await newProduct(category.id)
        const ok = await fetch(`${running.url}/products/${product.id}`, {
          headers: { authorization: 'Bearer not.a.token' },
        })
        expect(ok.status).toBe(200)
      })
    })
  })
}
