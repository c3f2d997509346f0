import { randomBytes, randomUUID } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { pino } from 'pino'
import sharp from 'sharp'
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
  headers: Headers
  body: any
  bytes: Buffer
}

/** A picture drawn by sharp: two colours, so that resizing has something to do. */
function picture(format: 'jpeg' | 'png' | 'webp', width: number, height: number) {
  const half = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect width="${width}" height="${height}" fill="#c85028"/>` +
      `<rect width="${Math.ceil(width / 2)}" height="${height}" fill="#2850c8"/></svg>`,
  )
  return sharp(half).toFormat(format).toBuffer()
}

/**
 * A real PNG (a valid signature, header and checksums) that declares `width` × `height` but holds
 * a few bytes: what a decompression bomb looks like before its pixels are decoded.
 */
async function pngDeclaring(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await picture('png', 8, 8))
  // The IHDR chunk: length (4), type (4), width (4) and height (4) at 16, its CRC after 13 bytes.
  png.writeUInt32BE(width, 16)
  png.writeUInt32BE(height, 20)
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29)
  return png
}

/**
 * Product media (issue 17) over real HTTP against one database kind: uploads judged by their
 * bytes and limits, the sizes made and served (cache headers, ETag, 304), the gallery's order,
 * alt text and deletion, and the product's `imageUrl` following its first picture with
 * `product.updated` in the outbox.
 */
export function productMediaSuite(kind: DatabaseKind): void {
  describe(`product media on ${kind}`, () => {
    const log = pino({ level: 'silent' })
    const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
    const tokens = createTestTokens()
    const admin = `Bearer ${tokens.token(['customer', 'admin'])}`
    const customer = `Bearer ${tokens.token(['customer'])}`
    const maxBytes = 300_000
    let testDb: TestDatabase
    let running: RunningService
    let categoryId: string

    async function call(
      method: string,
      path: string,
      options: { body?: unknown; type?: string; auth?: string; headers?: object } = {},
    ): Promise<Reply> {
      const headers: Record<string, string> = { ...(options.headers as Record<string, string>) }
      let body: Uint8Array | string | undefined
      if (Buffer.isBuffer(options.body)) {
        body = new Uint8Array(options.body)
        headers['content-type'] = options.type ?? 'application/octet-stream'
      } else if (options.body !== undefined) {
        body = JSON.stringify(options.body)
        headers['content-type'] = 'application/json'
      }
      if (options.auth) headers.authorization = options.auth
      const response = await fetch(`${running.url}${path}`, { method, headers, body })
      const bytes = Buffer.from(await response.arrayBuffer())
      const json = /json/.test(response.headers.get('content-type') ?? '')
      return {
        status: response.status,
        headers: response.headers,
        body: json && bytes.length > 0 ? JSON.parse(bytes.toString()) : undefined,
        bytes,
      }
    }

    const upload = (productId: string, bytes: Buffer, type: string, auth = admin, query = '') =>
      call('POST', `/products/${productId}/media${query}`, { body: bytes, type, auth })

    async function createProduct() {
      const reply = await call('POST', '/products', {
        auth: admin,
        body: {
          sku: `M-${randomUUID().slice(0, 8)}`,
          name: 'Walnut desk lamp',
          price: { amount: 4900, currency: 'USD' },
          categoryId,
          onHand: 3,
        },
      })
      expect(reply.status, JSON.stringify(reply.body)).toBe(201)
      return reply.body as { id: string; imageUrl: string }
    }

    async function updatedEvents(productId: string): Promise<any[]> {
      const rows = await testDb.database.db
        .selectFrom('outbox')
        .select(['payload'])
        .where('type', '=', 'product.updated')
        .orderBy('seq')
        .execute()
      return rows
        .map((row: any) => JSON.parse(row.payload))
        .filter((event: any) => event.data.productId === productId)
    }

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      const config = loadCatalogConfig({
        CATALOG_DATABASE_URL: testDb.url,
        CATALOG_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
        CATALOG_MEDIA_MAX_BYTES: String(maxBytes),
        LOG_LEVEL: 'silent',
      })
      const service = await createCatalogService(config, {
        log,
        database: testDb.database,
        verifier: tokens.verifier,
        expiryIntervalMs: 0,
      })
      running = await startService(service, { port: 0, log, bus })
      categoryId = randomUUID()
      await testDb.database.db
        .insertInto('categories')
        .values({ id: categoryId, name: 'Lamps', slug: 'lamps' })
        .execute()
    })

    afterAll(async () => {
      await running?.stopHttp()
      await running?.stopRelay()
      await running?.close()
      await bus.close()
      await testDb?.drop()
    })

    it('takes JPEG, PNG and WebP, resized to 320, 640 and 1280 wide as WebP, never enlarged', async () => {
      const product = await createProduct()
      const cases = [
        { format: 'png', width: 1600, height: 1200, sizes: [320, 640, 1280] },
        { format: 'jpeg', width: 800, height: 600, sizes: [320, 640, 800] },
        { format: 'webp', width: 200, height: 100, sizes: [200] },
      ] as const
      for (const c of cases) {
        const reply = await upload(
          product.id,
          await picture(c.format, c.width, c.height),
          `image/${c.format}`,
          admin,
          '?alt=A%20lamp',
        )
        expect(reply.status, JSON.stringify(reply.body)).toBe(201)
        const media = reply.body
        expect(reply.headers.get('location')).toBe(
          `/api/v1/products/${product.id}/media/${media.id}`,
        )
        expect(media).toMatchObject({
          alt: 'A lamp',
          width: c.sizes.at(-1),
          height: (c.sizes.at(-1)! * c.height) / c.width,
        })
        expect(media.sizes.map((s: any) => s.width)).toEqual(c.sizes)
        for (const size of media.sizes) {
          expect(size.url).toBe(`/api/v1/media/${media.id}/${size.width}.webp`)
          const file = await call('GET', size.url.replace('/api/v1', ''))
          expect(file.status).toBe(200)
          expect(file.headers.get('content-type')).toBe('image/webp')
          expect(await sharp(file.bytes).metadata()).toMatchObject({
            format: 'webp',
            width: size.width,
            height: size.height,
          })
        }
      }
    })

    it('judges the bytes, not the content-type', async () => {
      const product = await createProduct()
      const png = await picture('png', 400, 300)
      const labelledJpeg = await upload(product.id, png, 'image/jpeg')
      expect(labelledJpeg.status).toBe(201)
      const octets = await upload(product.id, png, 'application/octet-stream')
      expect(octets.status).toBe(201)

      const text = Buffer.from('Not a picture at all, though it says image/png.\n')
      const refused = await upload(product.id, text, 'image/png')
      expect(refused.status).toBe(415)
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(refused.body).toMatchObject({ status: 415, code: 'CATALOG.IMAGE_TYPE_UNSUPPORTED' })
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')
      expect((await upload(product.id, svg, 'image/png')).body.code).toBe(
        'CATALOG.IMAGE_TYPE_UNSUPPORTED',
      )
      const gif = await sharp(png).gif().toBuffer()
      expect((await upload(product.id, gif, 'image/gif')).status).toBe(415)
      const json = await call('POST', `/products/${product.id}/media`, {
        body: { picture: 'no' },
        auth: admin,
      })
      expect(json.status).toBe(415)

      const jpeg = await picture('jpeg', 400, 300)
      const cut = await upload(product.id, jpeg.subarray(0, jpeg.length >> 1), 'image/jpeg')
      expect(cut.status).toBe(422)
      expect(cut.body.code).toBe('CATALOG.IMAGE_UNREADABLE')
      const gallery = await call('GET', `/products/${product.id}/media`)
      expect(gallery.body.items).toHaveLength(2)
    })

    it('refuses an upload over the limit (413) and a decompression bomb (422)', async () => {
      const product = await createProduct()
      // Noise does not compress: a PNG of it is larger than the limit.
      const noise = await sharp(randomBytes(400 * 400 * 3), {
        raw: { width: 400, height: 400, channels: 3 },
      })
        .png()
        .toBuffer()
      expect(noise.length).toBeGreaterThan(maxBytes)
      const tooLarge = await upload(product.id, noise, 'image/png')
      expect(tooLarge.status).toBe(413)
      expect(tooLarge.body).toMatchObject({ status: 413, code: 'HTTP.PAYLOAD_TOO_LARGE' })

      const bomb = await pngDeclaring(60_000, 60_000)
      expect(bomb.length).toBeLessThan(1000)
      expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({
        width: 60_000,
        height: 60_000,
      })
      const refused = await upload(product.id, bomb, 'image/png')
      expect(refused.status).toBe(422)
      expect(refused.body).toMatchObject({
        code: 'CATALOG.IMAGE_DIMENSIONS',
        detail: expect.stringContaining('60000 × 60000'),
      })
      expect((await call('GET', `/products/${product.id}/media`)).body.items).toEqual([])
    })

    it('lets only admins change galleries (401, 403) and knows unknown products (404)', async () => {
      const product = await createProduct()
      const png = await picture('png', 100, 100)
      const none = await call('POST', `/products/${product.id}/media`, {
        body: png,
        type: 'image/png',
      })
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/)
      const forbidden = await upload(product.id, png, 'image/png', customer)
      expect(forbidden.status).toBe(403)
      expect(forbidden.body.code).toBe('AUTH.FORBIDDEN')
      const order = { body: { ids: [] }, auth: customer }
      expect((await call('PUT', `/products/${product.id}/media/order`, order)).status).toBe(403)
      const alt = { body: { alt: 'x' }, auth: customer }
      expect((await call('PATCH', `/products/${product.id}/media/m`, alt)).status).toBe(403)
      expect(
        (await call('DELETE', `/products/${product.id}/media/m`, { auth: customer })).status,
      ).toBe(403)

      const unknown = await upload('no-such-product', png, 'image/png')
      expect(unknown.status).toBe(404)
      expect(unknown.body.code).toBe('CATALOG.PRODUCT_NOT_FOUND')
      expect((await call('GET', '/products/no-such-product/media')).status).toBe(404)
    })

    it('serves sizes for a year with a strong ETag, 304 when it matches', async () => {
      const product = await createProduct()
      const { body: media } = await upload(product.id, await picture('png', 700, 700), 'image/png')
      const path = `/media/${media.id}/640.webp`
      const first = await call('GET', path)
      expect(first.status).toBe(200)
      expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect(first.headers.get('x-content-type-options')).toBe('nosniff')
      const etag = first.headers.get('etag')!
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{16,}"$/)
      expect((await call('GET', `/media/${media.id}/320.webp`)).headers.get('etag')).not.toBe(etag)

      const again = await call('GET', path, { headers: { 'if-none-match': etag } })
      expect(again.status).toBe(304)
      expect(again.bytes.length).toBe(0)
      expect(again.headers.get('etag')).toBe(etag)
      expect(again.headers.get('cache-control')).toMatch(/immutable/)
      expect(again.headers.get('content-type')).toBeNull()
      const weak = await call('GET', path, { headers: { 'if-none-match': `"x", W/${etag}` } })
      expect(weak.status).toBe(304)
      const stale = await call('GET', path, { headers: { 'if-none-match': '"other"' } })
      expect(stale.status).toBe(200)
      expect(stale.bytes.equals(first.bytes)).toBe(true)

      for (const missing of [`/media/${media.id}/1280.webp`, '/media/nope/640.webp']) {
        const reply = await call('GET', missing)
        expect(reply.status).toBe(404)
        expect(reply.body.code).toBe('CATALOG.MEDIA_NOT_FOUND')
      }
      expect((await call('GET', `/media/${media.id}/640.png`)).status).toBe(404)
    })

    it('orders the gallery, edits alt text, deletes; imageUrl follows the first picture', async () => {
      const product = await createProduct()
      const generated = `/api/v1/products/${product.id}/image`
      expect(product.imageUrl).toBe(generated)
      const ids: string[] = []
      for (const width of [900, 500, 1400]) {
        const reply = await upload(product.id, await picture('jpeg', width, 400), 'image/jpeg')
        expect(reply.status).toBe(201)
        ids.push(reply.body.id)
      }
      const [a, b, c] = ids as [string, string, string]
      const imageOf = async () => (await call('GET', `/products/${product.id}`)).body.imageUrl
      expect(await imageOf()).toBe(`/api/v1/media/${a}/640.webp`)
      let events = await updatedEvents(product.id)
      expect(events.map((e) => e.data.imageUrl)).toEqual([`/api/v1/media/${a}/640.webp`])

      const reordered = await call('PUT', `/products/${product.id}/media/order`, {
        body: { ids: [b, c, a] },
        auth: admin,
      })
      expect(reordered.status).toBe(200)
      expect(reordered.body.items.map((m: any) => m.id)).toEqual([b, c, a])
      // b is 500 wide: its largest size stands for it.
      expect(await imageOf()).toBe(`/api/v1/media/${b}/500.webp`)
      const gallery = (await call('GET', `/products/${product.id}/media`)).body.items
      expect(gallery.map((m: any) => m.id)).toEqual([b, c, a])
      // The product's own read carries its gallery (read in the product's statement: the same
      // pictures, sizes and times); lists its first picture (for srcset).
      const detail = (await call('GET', `/products/${product.id}`)).body
      expect(detail.media).toEqual(gallery)
      expect(detail.thumbnail).toEqual(detail.media[0])
      expect(detail.thumbnail.sizes.map((s: any) => s.width)).toEqual([320, 500])
      const listed = (await call('GET', '/products?category=lamps&limit=100')).body.items
      const item = listed.find((p: any) => p.id === product.id)
      expect(item).toMatchObject({ imageUrl: `/api/v1/media/${b}/500.webp`, thumbnail: { id: b } })
      // Read with the page's statement (issue 20): the picture the product's own read shows.
      expect(item.thumbnail).toEqual(detail.thumbnail)
      expect(item.media).toBeUndefined()
      expect(listed.filter((p: any) => p.thumbnail === undefined).length).toBeGreaterThan(0)
      // Every shape of list carries it: a search (ranked), another sort, a typo's fallback.
      for (const query of ['q=walnut', 'category=lamps&sort=price_desc', 'q=wlanut+dsek']) {
        const found = (await call('GET', `/products?${query}&limit=100`)).body.items
        expect(found.find((p: any) => p.id === product.id)?.thumbnail).toEqual(detail.thumbnail)
      }

      const wrong = await call('PUT', `/products/${product.id}/media/order`, {
        body: { ids: [b, c] },
        auth: admin,
      })
      expect(wrong.status).toBe(422)
      expect(wrong.body.code).toBe('CATALOG.MEDIA_ORDER_MISMATCH')

      const alt = await call('PATCH', `/products/${product.id}/media/${c}`, {
        body: { alt: '  The lamp,  lit ' },
        auth: admin,
      })
      expect(alt.status).toBe(200)
      expect(alt.body).toMatchObject({ id: c, alt: 'The lamp, lit' })
      const badAlt = await call('PATCH', `/products/${product.id}/media/${c}`, {
        body: { alt: 'x'.repeat(301) },
        auth: admin,
      })
      expect(badAlt.status).toBe(400)
      const elsewhere = await call('PATCH', `/products/${product.id}/media/nope`, {
        body: { alt: 'x' },
        auth: admin,
      })
      expect(elsewhere.body.code).toBe('CATALOG.MEDIA_NOT_FOUND')

      // Deleting a picture that is not first changes no image and tells no one.
      const before = (await updatedEvents(product.id)).length
      expect(
        (await call('DELETE', `/products/${product.id}/media/${a}`, { auth: admin })).status,
      ).toBe(204)
      expect((await updatedEvents(product.id)).length).toBe(before)
      expect((await call('GET', `/media/${a}/320.webp`)).status).toBe(404)
      expect(
        (await call('DELETE', `/products/${product.id}/media/${a}`, { auth: admin })).status,
      ).toBe(404)

      await call('DELETE', `/products/${product.id}/media/${b}`, { auth: admin })
      expect(await imageOf()).toBe(`/api/v1/media/${c}/640.webp`)
      await call('DELETE', `/products/${product.id}/media/${c}`, { auth: admin })
      // The last one gone, the product has its generated picture again.
      expect(await imageOf()).toBe(generated)
      const bare = (await call('GET', `/products/${product.id}`)).body
      expect(bare.media).toBeUndefined()
      expect(bare.thumbnail).toBeUndefined()
      events = await updatedEvents(product.id)
      expect(events.map((e) => e.data.imageUrl)).toEqual([
        `/api/v1/media/${a}/640.webp`,
        `/api/v1/media/${b}/500.webp`,
        `/api/v1/media/${c}/640.webp`,
        generated,
      ])
      expect(events.at(-1)).toMatchObject({
        source: 'catalog',
        data: { productId: product.id, name: 'Walnut desk lamp' },
      })
    })

    it('holds 24 pictures in a gallery (409 for more)', async () => {
      const product = await createProduct()
      const tiny = await picture('png', 12, 12)
      for (let i = 0; i < 24; i++) {
        expect((await upload(product.id, tiny, 'image/png')).status).toBe(201)
      }
      const full = await upload(product.id, tiny, 'image/png')
      expect(full.status).toBe(409)
      expect(full.body.code).toBe('CATALOG.GALLERY_FULL')
      expect((await call('GET', `/products/${product.id}/media`)).body.items).toHaveLength(24)
    })

    it("gives an admin's own image back when the gallery empties", async () => {
      const product = await createProduct()
      const own = 'https://images.example.com/lamp.jpg'
      await call('PATCH', `/products/${product.id}`, { body: { imageUrl: own }, auth: admin })
      const { body: media } = await upload(product.id, await picture('png', 700, 500), 'image/png')
      expect((await call('GET', `/products/${product.id}`)).body.imageUrl).toBe(
        `/api/v1/media/${media.id}/640.webp`,
      )
      await call('DELETE', `/products/${product.id}/media/${media.id}`, { auth: admin })
      expect((await call('GET', `/products/${product.id}`)).body.imageUrl).toBe(own)
    })
  })
}
