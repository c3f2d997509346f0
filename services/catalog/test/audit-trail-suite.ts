import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createInProcessBus,
  createOutbox,
  startService,
  type DatabaseKind,
  type Outbox,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, createTestTokens, type TestDatabase } from '@emporium/platform/testing'
import { createKyselyStore } from '../src/infra/kysely-store.js'
import { createCatalogService, loadCatalogConfig } from '../src/service.js'

/**
 * Issue 19's audit trail of the catalog on one database kind: each staff write records
 * `audit.recorded` (its actor, action, before and after) in the outbox, in the write's own
 * transaction; a refused write records nothing, and a write rolled back leaves no event.
 */
export function auditTrailSuite(kind: DatabaseKind): void {
  describe(`the catalog's audit trail on ${kind}`, () => {
    const log = pino({ level: 'silent' })
    const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
    const tokens = createTestTokens()
    const staff = { userId: `staff-${randomUUID()}`, roles: ['catalog_manager'] }
    const bearer = tokens.bearer(staff.userId, staff.roles)
    const category = { id: randomUUID(), slug: `audited-${kind}`, name: 'Audited' }
    let testDb: TestDatabase
    let running: RunningService
    let n = 0
    const unique = () => `${kind}-${++n}-${randomUUID().slice(0, 6)}`

    async function call(method: string, path: string, body?: unknown) {
      const headers: Record<string, string> = { authorization: bearer }
      if (body !== undefined) headers['content-type'] = 'application/json'
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, body: text ? JSON.parse(text) : undefined }
    }

    /** The audit events of an entity, oldest first. */
    async function auditOf(id: string): Promise<any[]> {
      const rows = await testDb.database.db
        .selectFrom('outbox')
        .select(['payload'])
        .where('type', '=', 'audit.recorded')
        .orderBy('seq')
        .execute()
      return rows.map((r: any) => JSON.parse(r.payload).data).filter((d: any) => d.entity.id === id)
    }

    async function createProduct(extra: Record<string, unknown> = {}) {
      const reply = await call('POST', '/products', {
        sku: `AUD-${unique()}`,
        name: 'Audited mug',
        price: { amount: 2000, currency: 'USD' },
        categoryId: category.id,
        onHand: 5,
        ...extra,
      })
      expect(reply.status, JSON.stringify(reply.body)).toBe(201)
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
      await testDb.database.db.insertInto('categories').values(category).execute()
    })

    afterAll(async () => {
      await running?.stopHttp()
      await running?.stopRelay()
      await running?.close()
      await bus.close()
      await testDb?.drop()
    })

    it('records a product created, its price changed and its stock adjusted, with the actor', async () => {
      const product = await createProduct()
      expect(await auditOf(product.id)).toMatchObject([
        {
          actor: staff,
          action: 'product.created',
          entity: { type: 'product', id: product.id },
          before: null,
          after: {
            sku: product.sku,
            name: 'Audited mug',
            variants: [
              { variantId: product.id, price: { amount: 2000, currency: 'USD' }, onHand: 5 },
            ],
          },
        },
      ])

      const patched = await call('PATCH', `/products/${product.id}`, {
        price: { amount: 2500, currency: 'USD' },
      })
      expect(patched.status).toBe(200)
      const stocked = await call('PUT', `/products/${product.id}/stock`, { onHand: 9 })
      expect(stocked.status).toBe(200)

      const [, priced, adjusted, ...rest] = await auditOf(product.id)
      expect(rest).toEqual([])
      // Only the changed field, before and after.
      expect(priced).toMatchObject({
        actor: staff,
        action: 'product.price-changed',
        before: { price: { amount: 2000, currency: 'USD' } },
        after: { price: { amount: 2500, currency: 'USD' } },
      })
      expect(Object.keys(priced.before)).toEqual(['price'])
      expect(adjusted).toMatchObject({
        actor: staff,
        action: 'stock.adjusted',
        before: { variantId: product.id, onHand: 5 },
        after: { variantId: product.id, onHand: 9 },
      })
    })

    it("records a variant's price change, a publication and a deletion", async () => {
      const product = await createProduct({
        options: [{ name: 'Size', values: ['S', 'M'] }],
        variants: [
          { sku: `AUD-${unique()}`, options: { Size: 'S' } },
          { sku: `AUD-${unique()}`, options: { Size: 'M' } },
        ],
        onHand: undefined,
        status: 'draft',
      })
      const second = product.variants[1]
      const reply = await call('PATCH', `/products/${product.id}/variants/${second.id}`, {
        price: { amount: 3100, currency: 'USD' },
      })
      expect(reply.status).toBe(200)
      expect((await call('PATCH', `/products/${product.id}`, { status: 'published' })).status).toBe(
        200,
      )
      expect((await call('DELETE', `/products/${product.id}`)).status).toBe(204)
      const trail = await auditOf(product.id)
      expect(trail.map((a) => a.action)).toEqual([
        'product.created',
        'variant.price-changed',
        'product.published',
        'product.deleted',
      ])
      expect(trail[1]).toMatchObject({
        before: { variantId: second.id, price: { amount: 2000 } },
        after: { variantId: second.id, price: { amount: 3100 } },
      })
      expect(trail[2]).toMatchObject({
        before: { status: 'draft' },
        after: { status: 'published' },
      })
      expect(trail[3]).toMatchObject({ before: { sku: product.sku }, after: null })
    })

    it('records nothing for a refused change, nor for a change to the same value', async () => {
      const product = await createProduct({
        options: [{ name: 'Size', values: ['S', 'M'] }],
        variants: [
          { sku: `AUD-${unique()}`, options: { Size: 'S' }, onHand: 2 },
          { sku: `AUD-${unique()}`, options: { Size: 'M' } },
        ],
        onHand: undefined,
      })
      // One price for a product of several variants: 409, nothing written.
      const refused = await call('PATCH', `/products/${product.id}`, {
        price: { amount: 1, currency: 'USD' },
      })
      expect(refused.status).toBe(409)
      const wrongCurrency = await call('PATCH', `/products/${product.id}/variants/${product.id}`, {
        price: { amount: 1, currency: 'EUR' },
      })
      expect(wrongCurrency.status).toBe(422)
      const same = await call('PUT', `/products/${product.id}/variants/${product.id}/stock`, {
        onHand: 2,
      })
      expect(same.status).toBe(200)
      expect((await auditOf(product.id)).map((a) => a.action)).toEqual(['product.created'])
    })

    it("records a gallery's pictures uploaded, described, reordered and deleted", async () => {
      const product = await createProduct()
      const png = await sharp({
        create: { width: 40, height: 30, channels: 3, background: '#c85028' },
      })
        .png()
        .toBuffer()
      const ids: string[] = []
      for (const alt of ['front', 'back']) {
        const response = await fetch(`${running.url}/products/${product.id}/media?alt=${alt}`, {
          method: 'POST',
          headers: { authorization: bearer, 'content-type': 'image/png' },
          body: png,
        })
        expect(response.status).toBe(201)
        ids.push(((await response.json()) as { id: string }).id)
      }
      const [front, back] = ids as [string, string]
      const path = `/products/${product.id}/media`
      expect((await call('PATCH', `${path}/${back}`, { alt: 'the back' })).status).toBe(200)
      expect((await call('PUT', `${path}/order`, { ids: [back, front] })).status).toBe(200)
      expect((await call('DELETE', `${path}/${front}`)).status).toBe(204)
      const trail = (await auditOf(product.id)).slice(1)
      expect(trail).toMatchObject([
        { actor: staff, action: 'media.uploaded', before: null, after: { mediaId: front } },
        { action: 'media.uploaded', after: { mediaId: back, alt: 'back' } },
        { action: 'media.updated', before: { alt: 'back' }, after: { alt: 'the back' } },
        {
          action: 'media.reordered',
          before: { order: [front, back] },
          after: { order: [back, front] },
        },
        { action: 'media.deleted', before: { mediaId: front }, after: null },
      ])
    })

    it('records categories created and renamed', async () => {
      const created = await call('POST', '/categories', {
        name: 'Lamps',
        slug: `lamps-${unique()}`,
      })
      expect(created.status).toBe(201)
      const renamed = await call('PATCH', `/categories/${created.body.id}`, { name: 'Lights' })
      expect(renamed.status).toBe(200)
      expect(await auditOf(created.body.id)).toMatchObject([
        { action: 'category.created', entity: { type: 'category' }, before: null },
        { action: 'category.updated', before: { name: 'Lamps' }, after: { name: 'Lights' } },
      ])
    })

    it('writes the audit event in the change’s transaction: a rolled-back change leaves none', async () => {
      const product = await createProduct()
      const real = createOutbox({ source: 'catalog' })
      // The audit event is written, then the transaction fails: both must go.
      const failing: Outbox = {
        ...real,
        add: async (trx, definition, data, meta) => {
          const envelope = await real.add(trx, definition, data, meta)
          if (definition.type === 'audit.recorded')
            throw new Error('the change fails after its audit')
          return envelope
        },
      }
      const store = createKyselyStore({ database: testDb.database, outbox: failing })
      await expect(
        store.updateProduct(
          product.id,
          { price: { amount: 9900, currency: 'USD' } },
          new Date(),
          staff,
        ),
      ).rejects.toThrow('the change fails after its audit')
      await expect(store.setStock(product.id, 42, staff)).rejects.toThrow()
      const after = await call('GET', `/products/${product.id}`)
      expect(after.body).toMatchObject({ price: { amount: 2000 }, available: 5 })
      expect((await auditOf(product.id)).map((a) => a.action)).toEqual(['product.created'])
      // Without an actor (the seed, system writes) nothing is audited, the change is made.
      expect(await store.setStock(product.id, 7)).toMatchObject({ onHand: 7 })
      expect((await auditOf(product.id)).map((a) => a.action)).toEqual(['product.created'])
    })
  })
}
