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
import { createCatalogService, loadCatalogConfig } from '../src/service.js'
import { createTestTokens } from './test-tokens.js'

interface Reply {
  status: number
  body: any
}

/**
 * Issue 17's search that forgives, on one database kind, over the service's HTTP routes: the
 * last word of a search as a prefix, typos (pg_trgm, which PGlite loads too), suggestions as
 * the shopper types, and the facet counts beside the list's filters. A catalog of its own.
 */
export function searchSuite(kind: DatabaseKind): void {
  describe(`search that forgives on ${kind}`, () => {
    const log = pino({ level: 'silent' })
    const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
    const tokens = createTestTokens()
    const admin = `Bearer ${tokens.token(['customer', 'admin'])}`
    let testDb: TestDatabase
    let running: RunningService
    const lighting = { id: randomUUID(), slug: 'lighting', name: 'Lighting' }
    const furniture = { id: randomUUID(), slug: 'furniture', name: 'Furniture' }
    const ids: Record<string, string> = {}

    async function call(method: string, path: string, body?: unknown): Promise<Reply> {
      const headers: Record<string, string> = {}
      if (body !== undefined) {
        headers['content-type'] = 'application/json'
        headers.authorization = admin
      }
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, body: text ? JSON.parse(text) : undefined }
    }

    const names = (reply: Reply) => reply.body.items.map((p: any) => p.name as string)

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      const config = loadCatalogConfig({
        CATALOG_DATABASE_URL: testDb.url,
        CATALOG_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
        LOG_LEVEL: 'silent',
      })
      const service = await createCatalogService(config, {
        log,
        database: testDb.database,
        verifier: tokens.verifier,
        expiryIntervalMs: 0,
      })
      running = await startService(service, { port: 0, log, bus })
      await testDb.database.db.insertInto('categories').values([lighting, furniture]).execute()
      const products: Array<[string, string, typeof lighting, number, number]> = [
        ['Desk lamp', 'Bright and small.', lighting, 2000, 5],
        ['Floor lamp', 'Tall.', lighting, 8000, 0],
        ['Lampshade', 'Linen.', lighting, 500, 3],
        ['Oak desk', 'Solid oak.', furniture, 30000, 2],
        ['Larch bookshelf', 'Five shelves.', furniture, 12000, 1],
        ['Walnut chair', 'Goes with a desk lamp.', furniture, 4000, 0],
        ['Hammock', 'For lazy afternoons.', furniture, 6000, 4],
      ]
      let sku = 0
      for (const [name, description, category, amount, onHand] of products) {
        const reply = await call('POST', '/products', {
          sku: `S-${++sku}`,
          name,
          description,
          price: { amount, currency: 'USD' },
          categoryId: category.id,
          onHand,
        })
        expect(reply.status, JSON.stringify(reply.body)).toBe(201)
        ids[name] = reply.body.id
      }
    })

    afterAll(async () => {
      await running?.stopHttp()
      await running?.stopRelay()
      await running?.close()
      await bus.close()
      await testDb?.drop()
    })

    describe('GET /products', () => {
      it('matches the last word as a prefix: "la" finds lamps, "desk la" a desk lamp', async () => {
        const la = await call('GET', '/products?q=la')
        expect(la.status).toBe(200)
        // Names and descriptions: the chair goes with a lamp, the hammock with lazy afternoons.
        expect(names(la).sort()).toEqual([
          'Desk lamp',
          'Floor lamp',
          'Hammock',
          'Lampshade',
          'Larch bookshelf',
          'Walnut chair',
        ])
        const deskLa = await call('GET', `/products?q=${encodeURIComponent('desk la')}`)
        // The chair's description has a desk lamp; the oak desk has no word starting "la".
        expect(names(deskLa).sort()).toEqual(['Desk lamp', 'Walnut chair'])
        expect(names(deskLa)[0]).toBe('Desk lamp')
      })

      it('ranks matches of the whole words before prefix-only ones', async () => {
        const reply = await call('GET', '/products?q=lamp')
        const list = names(reply)
        expect(list).toContain('Lampshade')
        for (const whole of ['Desk lamp', 'Floor lamp', 'Walnut chair']) {
          expect(list.indexOf(whole), whole).toBeLessThan(list.indexOf('Lampshade'))
        }
      })

      it('keeps websearch syntax to whole words', async () => {
        const reply = await call('GET', `/products?q=${encodeURIComponent('lamp -desk')}`)
        expect(names(reply)).toEqual(['Floor lamp'])
      })

      it('tolerates a typo (pg_trgm)', async () => {
        const reply = await call('GET', '/products?q=hamock')
        expect(names(reply)).toEqual(['Hammock'])
      })

      it('corrects a misspelled word: "lmap" finds what "lamp" finds, in its order', async () => {
        const lamp = await call('GET', '/products?q=lamp')
        expect(names(lamp)).toHaveLength(4)
        expect(lamp.body).not.toHaveProperty('correctedQuery')
        for (const q of ['lmap', 'LMAP', 'lammp', 'lamb']) {
          const reply = await call('GET', `/products?q=${q}`)
          expect(reply.status, q).toBe(200)
          expect(names(reply), q).toEqual(names(lamp))
          expect(reply.body.correctedQuery, q).toBe('lamp')
        }
        // Two edits in a longer word; the words of the catalog stay as typed.
        expect(names(await call('GET', '/products?q=bokshefl'))).toEqual(['Larch bookshelf'])
        const walnut = await call('GET', `/products?q=${encodeURIComponent('walnut lmap')}`)
        expect(names(walnut)).toEqual(['Walnut chair'])
        expect(walnut.body.correctedQuery).toBe('walnut lamp')
        // A word of a description (and a form of a name's) is right too, if not a name's word.
        const bright = await call('GET', `/products?q=${encodeURIComponent('brightly lmap')}`)
        expect(names(bright)).toEqual(['Desk lamp'])
        expect(bright.body.correctedQuery).toBe('brightly lamp')
      })

      it('pages a corrected search as the corrected search', async () => {
        const lamp = names(await call('GET', '/products?q=lamp'))
        const seen: string[] = []
        let cursor: string | null = null
        do {
          const reply: Reply = await call(
            'GET',
            `/products?q=lmap&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
          )
          expect(reply.status).toBe(200)
          seen.push(...names(reply))
          cursor = reply.body.nextCursor
        } while (cursor && seen.length < 10)
        expect(seen).toEqual(lamp)
      })

      it('finds nothing for a word like no word of the catalog', async () => {
        for (const q of ['zzzzzz', 'qxjvbn']) {
          const reply = await call('GET', `/products?q=${encodeURIComponent(q)}`)
          expect(reply, q).toEqual({ status: 200, body: { items: [], nextCursor: null } })
        }
      })
    })

    describe('GET /products/suggestions', () => {
      it('suggests products whose name starts with the words typed, best first', async () => {
        const reply = await call('GET', '/products/suggestions?q=la')
        expect(reply.status).toBe(200)
        // Not the chair: its lamp is in its description.
        expect(names(reply).sort()).toEqual([
          'Desk lamp',
          'Floor lamp',
          'Lampshade',
          'Larch bookshelf',
        ])
        expect(reply.body.items.find((s: any) => s.name === 'Desk lamp')).toEqual({
          id: ids['Desk lamp'],
          name: 'Desk lamp',
          category: lighting,
          price: { amount: 2000, currency: 'USD' },
        })
        const deskLa = await call('GET', `/products/suggestions?q=${encodeURIComponent('Desk La')}`)
        expect(names(deskLa)).toEqual(['Desk lamp'])
        const two = await call('GET', '/products/suggestions?q=la&limit=2')
        expect(two.body.items).toHaveLength(2)
      })

      it('suggests names that look like the text when none starts with it', async () => {
        const reply = await call('GET', '/products/suggestions?q=hamock')
        expect(names(reply)).toEqual(['Hammock'])
        const nothing = await call('GET', '/products/suggestions?q=zzzzzz')
        expect(nothing).toEqual({ status: 200, body: { items: [] } })
        // Short texts are never widened: a few letters look like too many names.
        expect((await call('GET', '/products/suggestions?q=hmk')).body.items).toEqual([])
      })

      it('suggests for the text with its spelling corrected', async () => {
        const reply = await call('GET', '/products/suggestions?q=lmap')
        expect(reply.status).toBe(200)
        expect(names(reply).sort()).toEqual(['Desk lamp', 'Floor lamp', 'Lampshade'])
        expect(reply.body.correctedQuery).toBe('lamp')
        const desk = await call('GET', `/products/suggestions?q=${encodeURIComponent('dsek lmap')}`)
        expect(names(desk)).toEqual(['Desk lamp'])
      })

      it('treats any input as text', async () => {
        for (const q of ["o'brien", '&|!():*', 'la:* | !x', '"la', '   ', '\\']) {
          const reply = await call('GET', `/products/suggestions?q=${encodeURIComponent(q)}`)
          expect(reply.status, q).toBe(200)
        }
        expect(
          names(await call('GET', `/products/suggestions?q=${encodeURIComponent('la:*')}`)),
        ).toContain('Lampshade')
      })

      it('answers 400 for a text of no character or over 100, and a limit out of 1 to 20', async () => {
        for (const query of [
          '',
          'q=',
          `q=${'a'.repeat(101)}`,
          // A NUL reaches no database.
          'q=la%00',
          'q=la&limit=0',
          'q=la&limit=21',
          'q=la&limit=two',
        ]) {
          const reply = await call('GET', `/products/suggestions?${query}`)
          expect(reply.status, query).toBe(400)
          expect(reply.body.status, query).toBe(400)
        }
        expect((await call('GET', `/products/suggestions?q=${'a'.repeat(100)}`)).status).toBe(200)
      })
    })

    describe('GET /products/facets', () => {
      const band = (reply: Reply) =>
        reply.body.priceBands.map((b: any) => [b.min, b.max, b.count] as const)
      const byCategory = (reply: Reply) =>
        Object.fromEntries(reply.body.categories.map((c: any) => [c.category.slug, c.count]))

      it('counts the whole catalog without filters', async () => {
        const reply = await call('GET', '/products/facets')
        expect(reply.status).toBe(200)
        expect(reply.body.total).toBe(7)
        expect(reply.body.inStock).toBe(5)
        expect(byCategory(reply)).toEqual({ lighting: 3, furniture: 4 })
        expect(reply.body.categories[0].category).toEqual(furniture)
        expect(band(reply)).toEqual([
          [0, 999, 1],
          [1000, 2499, 1],
          [2500, 4999, 1],
          [5000, 9999, 2],
          [10000, null, 2],
        ])
      })

      it('counts each facet with the other filters applied', async () => {
        const reply = await call('GET', '/products/facets?q=lamp&category=lighting&minPrice=1000')
        expect(reply.status).toBe(200)
        // The search, the category and the price: the desk and floor lamps.
        expect(reply.body.total).toBe(2)
        expect(reply.body.inStock).toBe(1)
        // Categories under the search and the price: the chair's description has a lamp.
        expect(byCategory(reply)).toEqual({ lighting: 2, furniture: 1 })
        // Bands under the search and the category: the lampshade too.
        expect(band(reply)).toEqual([
          [0, 999, 1],
          [1000, 2499, 1],
          [2500, 4999, 0],
          [5000, 9999, 1],
          [10000, null, 0],
        ])
        const list = await call('GET', '/products?q=lamp&category=lighting&minPrice=1000')
        expect(list.body.items).toHaveLength(reply.body.total)
      })

      it('counts what the list shows for a typo', async () => {
        const reply = await call('GET', '/products/facets?q=hamock')
        expect(reply.body.total).toBe(1)
        expect(byCategory(reply)).toEqual({ lighting: 0, furniture: 1 })
      })

      it('counts what the list shows for a misspelled word', async () => {
        const reply = await call('GET', '/products/facets?q=lmap')
        expect(reply.status).toBe(200)
        // Desk and floor lamps, the lampshade, and the chair that goes with a desk lamp.
        expect(reply.body.total).toBe(4)
        expect(reply.body.inStock).toBe(2)
        expect(byCategory(reply)).toEqual({ lighting: 3, furniture: 1 })
        const inLighting = await call('GET', '/products/facets?q=lmap&category=lighting')
        const list = await call('GET', '/products?q=lmap&category=lighting')
        expect(inLighting.body.total).toBe(3)
        expect(list.body.items).toHaveLength(inLighting.body.total)
        const nothing = await call('GET', '/products/facets?q=zzzzzz')
        expect(nothing.status).toBe(200)
        expect(nothing.body.total).toBe(0)
      })

      it('answers 400 for an empty price range, and what the listing refuses', async () => {
        const reply = await call('GET', '/products/facets?minPrice=5000&maxPrice=100')
        expect(reply.status).toBe(400)
        expect(reply.body.code).toBe('CATALOG.INVALID_PRICE_RANGE')
        for (const query of ['q=la%00', 'maxPrice=1000000000000', 'minPrice=-1']) {
          const refused = await call('GET', `/products/facets?${query}`)
          expect(refused.status, query).toBe(400)
        }
      })
    })
  })
}
