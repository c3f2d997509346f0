import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pageContentSecurityPolicy } from '../src/http/storefront.js'
import { startResettingUpstream } from './fake-upstreams.js'
import { call, startGateway, type TestGateway } from './gateway-harness.js'

const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }
// As Vite builds it (apps/storefront/index.html).
const indexHtml = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Emporium</title>
    <script type="module" crossorigin src="/assets/index-1a2b3c.js"></script>
  </head>
  <body><div id="app"></div></body>
</html>`

const product = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  sku: `SKU-${id}`,
  name: 'Stoneware mug',
  description: `A glazed stoneware mug.\n\n${'It keeps coffee warm. '.repeat(12)}`,
  price: { amount: 3499, currency: 'USD' },
  category: { id: 'c-1', name: 'Kitchen', slug: 'kitchen' },
  imageUrl: '/api/v1/media/mug-800.webp',
  available: 7,
  createdAt: '2026-12-01T00:00:00.000Z',
  ...fields,
})

const hostileName = `Mug "best" </title></script><script>alert(1)</script> <!-- ' &amp;`
const products = new Map<string, unknown>([
  ['p-1', product('p-1')],
  ['p-evil', product('p-evil', { name: hostileName, description: `</script><img src=x>` })],
])

/**
 * A catalog of two products: `GET /products/{id}` answers them, 404 for others; `p-slow` never
 * answers, `p-broken` is a 500.
 */
async function startFakeCatalog(): Promise<{ url: string; stop(): Promise<void> }> {
  const held: ServerResponse[] = []
  const server: Server = createServer((req, res) => {
    const id = decodeURIComponent((req.url ?? '').replace(/^\/products\//, ''))
    if (id === 'p-slow') return void held.push(res)
    const found = products.get(id)
    const status = id === 'p-broken' ? 500 : found ? 200 : 404
    res.writeHead(status, {
      'content-type': found ? 'application/json' : 'application/problem+json',
    })
    res.end(JSON.stringify(found ?? { status, code: 'CATALOG.PRODUCT_NOT_FOUND' }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      for (const res of held) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

const titleOf = (page: string) => /<title>([^<]*)<\/title>/.exec(page)?.[1]
const metaOf = (page: string, key: string) =>
  new RegExp(`<meta (?:name|property)="${key}" content="([^"]*)"`).exec(page)?.[1]
const unescape = (text: string) =>
  text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
const jsonLdOf = (page: string) => {
  const found = /<script type="application\/ld\+json"[^>]*>([^<]*)<\/script>/.exec(page)
  return found ? (JSON.parse(found[1]!) as Record<string, any>) : undefined
}

describe('product pages: title and meta written by the gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'storefront-meta-'))
  let catalog: Awaited<ReturnType<typeof startFakeCatalog>>
  let gateway: TestGateway
  let down: TestGateway
  let dead: Awaited<ReturnType<typeof startResettingUpstream>>

  beforeAll(async () => {
    writeFileSync(join(dir, 'index.html'), indexHtml)
    catalog = await startFakeCatalog()
    dead = await startResettingUpstream()
    const storefront = {
      REDIS_URL: 'memory',
      GATEWAY_STOREFRONT_DIR: dir,
      GATEWAY_PAGE_META_TIMEOUT_MS: 300,
    }
    ;[gateway, down] = await Promise.all([
      startGateway({ ...storefront, GATEWAY_CATALOG_URLS: catalog.url }),
      startGateway({
        ...storefront,
        GATEWAY_CATALOG_URLS: dead.url,
      }),
    ])
  })
  afterAll(async () => {
    await Promise.all([gateway?.stop(), down?.stop()])
    await Promise.all([catalog?.stop(), dead?.stop()])
    rmSync(dir, { recursive: true, force: true })
  })

  it("writes a product's title, description, Open Graph, canonical link and JSON-LD", async () => {
    const answer = await call(`${gateway.url}/products/p-1?from=home`, {
      headers: { ...html, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' },
    })
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toMatch(/^text\/html/)
    expect(answer.headers['content-security-policy']).toBe(pageContentSecurityPolicy)
    expect(answer.headers['cache-control']).toBe('no-cache')
    const page = answer.text
    expect(titleOf(page)).toBe('Stoneware mug · Emporium')
    expect(page.match(/<title>/g)).toHaveLength(1)
    const description = metaOf(page, 'description')!
    expect(description.startsWith('A glazed stoneware mug. It keeps coffee warm.')).toBe(true)
    expect(description.length).toBeLessThanOrEqual(160)
    expect(metaOf(page, 'og:title')).toBe('Stoneware mug')
    expect(metaOf(page, 'og:description')).toBe(description)
    expect(metaOf(page, 'og:type')).toBe('product')
    expect(metaOf(page, 'og:url')).toBe('https://shop.example/products/p-1')
    expect(metaOf(page, 'og:image')).toBe('https://shop.example/api/v1/media/mug-800.webp')
    expect(page).toContain('<link rel="canonical" href="https://shop.example/products/p-1"')
    expect(jsonLdOf(page)).toEqual({
      '@context': 'https://schema.org',
      '@type': 'Product',
      name: 'Stoneware mug',
      description,
      image: ['https://shop.example/api/v1/media/mug-800.webp'],
      sku: 'SKU-p-1',
      category: 'Kitchen',
      url: 'https://shop.example/products/p-1',
      offers: {
        '@type': 'Offer',
        price: '34.99',
        priceCurrency: 'USD',
        availability: 'https://schema.org/InStock',
        url: 'https://shop.example/products/p-1',
      },
    })
    // The app's own script is still there, after the head's additions.
    expect(page).toContain('<script type="module" crossorigin src="/assets/index-1a2b3c.js">')
  })

  it("takes the request's own host without a proxy's, and no host that is not one", async () => {
    const answer = await call(`${gateway.url}/products/p-1`, { headers: html })
    expect(metaOf(answer.text, 'og:url')).toBe(`${gateway.url}/products/p-1`)
    const spoofed = await call(`${gateway.url}/products/p-1`, {
      headers: { ...html, 'x-forwarded-host': 'evil.example"><script>x()</script>' },
    })
    expect(spoofed.status).toBe(200)
    expect(titleOf(spoofed.text)).toBe('Stoneware mug · Emporium')
    expect(spoofed.text).not.toMatch(/evil|og:url|og:image|canonical/)
  })

  it('escapes a hostile product name everywhere: nothing breaks out of its element', async () => {
    const answer = await call(`${gateway.url}/products/p-evil`, { headers: html })
    expect(answer.status).toBe(200)
    const page = answer.text
    expect(page).not.toContain('<script>alert(1)')
    expect(page).not.toContain('<img')
    expect(page).not.toContain('<!--')
    // The module script and the JSON-LD block: each closes once, where it should.
    expect(page.match(/<\/script>/g)).toHaveLength(2)
    expect(page.match(/<\/title>/g)).toHaveLength(1)
    expect(unescape(titleOf(page)!)).toBe(`${hostileName} · Emporium`)
    expect(unescape(metaOf(page, 'og:title')!)).toBe(hostileName)
    expect(jsonLdOf(page)).toMatchObject({ name: hostileName, description: '</script><img src=x>' })
  })

  it('answers an unknown product with the page, a 404 and a "not found" title', async () => {
    for (const path of ['/products/nope', `/products/${'x'.repeat(65)}`]) {
      const answer = await call(`${gateway.url}${path}`, { headers: html })
      expect(answer.status, path).toBe(404)
      expect(answer.headers['content-type']).toMatch(/^text\/html/)
      expect(answer.headers['content-security-policy']).toBe(pageContentSecurityPolicy)
      expect(titleOf(answer.text)).toBe('Product not found · Emporium')
      expect(metaOf(answer.text, 'robots')).toBe('noindex')
      expect(answer.text).toContain('/assets/index-1a2b3c.js')
    }
  })

  it('serves the plain page, never a 5xx, when the catalog fails, is slow or is down', async () => {
    const answers = await Promise.all([
      call(`${gateway.url}/products/p-broken`, { headers: html }),
      call(`${gateway.url}/products/p-slow`, { headers: html }),
      call(`${down.url}/products/p-1`, { headers: html }),
    ])
    for (const answer of answers) {
      expect(answer.status).toBe(200)
      expect(answer.text).toBe(indexHtml)
      expect(answer.headers['content-security-policy']).toBe(pageContentSecurityPolicy)
    }
  })

  it('leaves other pages as built', async () => {
    for (const path of ['/', '/products', '/products/p-1/reviews', '/cart']) {
      const answer = await call(`${gateway.url}${path}`, { headers: html })
      expect(answer.status, path).toBe(200)
      expect(answer.text, path).toBe(indexHtml)
    }
  })
})
