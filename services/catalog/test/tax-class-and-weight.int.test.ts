import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import { Value } from 'typebox/value'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { catalog } from '@emporium/contracts'
import {
  createInProcessBus,
  startService,
  type DatabaseKind,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { createCatalogService, loadCatalogConfig } from '../src/service.js'
import { createTestTokens } from './test-tokens.js'

// Issue 18: a product's tax class and its variants' weights, set by admins, shown to shoppers,
// stored by migration 008 and carried in the product events (orders keeps them in its copy).
describe.each(['postgres', 'pglite'] as const satisfies DatabaseKind[])(
  'tax class and weight on %s',
  (kind) => {
    const log = pino({ level: 'silent' })
    const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
    const tokens = createTestTokens()
    const admin = `Bearer ${tokens.token(['customer', 'admin'])}`
    const customer = `Bearer ${tokens.token(['customer'])}`
    let testDb: TestDatabase
    let running: RunningService
    let categoryId: string
    const unique = () => randomUUID().slice(0, 8)

    async function call(method: string, path: string, body?: unknown, bearer?: string) {
      const headers: Record<string, string> = {}
      if (body !== undefined) headers['content-type'] = 'application/json'
      if (bearer) headers.authorization = bearer
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, text, body: text ? JSON.parse(text) : undefined }
    }

    /** The `data` of the events of `type` about `productId`, in order. */
    async function eventsOf(type: string, productId: string) {
      const rows = await testDb.database.db
        .selectFrom('outbox')
        .select(['payload'])
        .where('type', '=', type)
        .orderBy('seq')
        .execute()
      return rows
        .map((r: any) => JSON.parse(r.payload).data)
        .filter((d: any) => d.productId === productId)
    }

    async function create(extra: Record<string, unknown> = {}) {
      const reply = await call(
        'POST',
        '/products',
        {
          sku: `TW-${unique()}`,
          name: `Atlas ${unique()}`,
          price: { amount: 2500, currency: 'EUR' },
          categoryId,
          ...extra,
        },
        admin,
      )
      expect(reply.status, reply.text).toBe(201)
      return reply.body
    }

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      const service = await createCatalogService(
        loadCatalogConfig({
          CATALOG_DATABASE_URL: testDb.url,
          CATALOG_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
          LOG_LEVEL: 'silent',
        }),
        { log, database: testDb.database, verifier: tokens.verifier, expiryIntervalMs: 0 },
      )
      running = await startService(service, { port: 0, log, bus })
      const category = await call(
        'POST',
        '/categories',
        { name: `Books ${unique()}`, slug: `books-${unique()}` },
        admin,
      )
      expect(category.status, category.text).toBe(201)
      categoryId = category.body.id
    })

    afterAll(async () => {
      await running?.stopHttp()
      await running?.stopRelay()
      await running?.close()
      await bus.close()
      await testDb?.drop()
    })

    it('gives a product the standard class and its variant 0 g unless told', async () => {
      const product = await create()
      expect(product.taxClass).toBe('standard')
      expect(product.variants.map((v: any) => v.weightGrams)).toEqual([0])
      const read = await call('GET', `/products/${product.id}`)
      expect(read.body).toMatchObject({ taxClass: 'standard', variants: [{ weightGrams: 0 }] })
      const [created] = await eventsOf('product.created', product.id)
      expect(created).toMatchObject({ taxClass: 'standard', variants: [{ weightGrams: 0 }] })
    })

    it('sets them on create, shows them to shoppers and carries them in product.created', async () => {
      const product = await create({
        taxClass: 'books',
        weightGrams: 350,
        options: [{ name: 'Cover', values: ['Paper', 'Cloth'] }],
        variants: [
          { sku: `TW-P-${unique()}`, options: { Cover: 'Paper' } },
          { sku: `TW-C-${unique()}`, options: { Cover: 'Cloth' }, weightGrams: 900 },
        ],
      })
      const read = await call('GET', `/products/${product.id}`, undefined, customer)
      expect(read.status).toBe(200)
      expect(read.body.taxClass).toBe('books')
      expect(read.body.variants.map((v: any) => v.weightGrams)).toEqual([350, 900])
      const listed = await call('GET', `/products?category=${categoryId}&limit=100`)
      const item = listed.body.items.find((p: any) => p.id === product.id)
      expect(item.taxClass).toBe('books')

      const [created] = await eventsOf('product.created', product.id)
      expect(Value.Check(catalog.ProductCreated.schema, created)).toBe(true)
      expect(created.taxClass).toBe('books')
      expect(created.variants.map((v: any) => v.weightGrams)).toEqual([350, 900])
    })

    it('changes them by PATCH, each change in product.updated', async () => {
      const product = await create({ taxClass: 'books' })
      const patched = await call('PATCH', `/products/${product.id}`, { taxClass: 'food-2' }, admin)
      expect(patched.status, patched.text).toBe(200)
      expect(patched.body.taxClass).toBe('food-2')
      const variant = await call(
        'PATCH',
        `/products/${product.id}/variants/${product.id}`,
        { weightGrams: 1250 },
        admin,
      )
      expect(variant.status, variant.text).toBe(200)
      expect(variant.body.weightGrams).toBe(1250)

      const read = await call('GET', `/products/${product.id}`)
      expect(read.body).toMatchObject({ taxClass: 'food-2', variants: [{ weightGrams: 1250 }] })
      const updates = await eventsOf('product.updated', product.id)
      expect(updates.map((d: any) => [d.taxClass, d.variants[0].weightGrams])).toEqual([
        ['food-2', 0],
        ['food-2', 1250],
      ])
      for (const data of updates)
        expect(Value.Check(catalog.ProductUpdated.schema, data)).toBe(true)
    })

    it('takes a weight on a new variant, else the default', async () => {
      const product = await create({
        options: [{ name: 'Size', values: ['S', 'M', 'L'] }],
        variants: [{ sku: `TW-S-${unique()}`, options: { Size: 'S' }, weightGrams: 100 }],
      })
      const m = await call(
        'POST',
        `/products/${product.id}/variants`,
        { sku: `TW-M-${unique()}`, options: { Size: 'M' }, weightGrams: 200 },
        admin,
      )
      expect(m.status, m.text).toBe(201)
      expect(m.body.weightGrams).toBe(200)
      const l = await call(
        'POST',
        `/products/${product.id}/variants`,
        { sku: `TW-L-${unique()}`, options: { Size: 'L' } },
        admin,
      )
      expect(l.body.weightGrams).toBe(0)
      const updates = await eventsOf('product.updated', product.id)
      expect(updates.at(-1).variants.map((v: any) => v.weightGrams)).toEqual([100, 200, 0])
    })

    it('refuses a bad class or weight with a 400 problem, and non-admins', async () => {
      const product = await create()
      for (const taxClass of ['Books', '', 'a'.repeat(33), 'books rate', 'bücher', 7]) {
        const reply = await call('PATCH', `/products/${product.id}`, { taxClass }, admin)
        expect(reply.status, JSON.stringify(taxClass)).toBe(400)
        const created = await call(
          'POST',
          '/products',
          {
            sku: `TW-${unique()}`,
            name: 'X',
            price: { amount: 1, currency: 'EUR' },
            categoryId,
            taxClass,
          },
          admin,
        )
        expect(created.status, JSON.stringify(taxClass)).toBe(400)
      }
      for (const weightGrams of [-1, 1.5, '10', 1_000_000_001]) {
        const reply = await call(
          'PATCH',
          `/products/${product.id}/variants/${product.id}`,
          { weightGrams },
          admin,
        )
        expect(reply.status, JSON.stringify(weightGrams)).toBe(400)
      }
      const shopper = await call('PATCH', `/products/${product.id}`, { taxClass: 'x' }, customer)
      expect(shopper.status).toBe(403)
      const read = await call('GET', `/products/${product.id}`)
      expect(read.body).toMatchObject({ taxClass: 'standard', variants: [{ weightGrams: 0 }] })
    })
  },
)
