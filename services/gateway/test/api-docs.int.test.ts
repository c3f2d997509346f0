import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiDocsContentSecurityPolicy, swaggerUiInlineStyleHashes } from '../src/http/api-docs.js'
import { startEchoUpstream } from './fake-upstreams.js'
import { call, startGateway, type TestGateway } from './gateway-harness.js'

type Echoer = Awaited<ReturnType<typeof startEchoUpstream>>
const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }
// Helmet's policy of the gateway's other responses (security-headers.ts), which must not change.
const jsonPolicy = "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'"

/** The policy's directives: name → sources. */
function directives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name!, sources]),
  )
}

/** What a page links to: every `src` and `href`, resolved against the page's address. */
const linksOf = (page: string, base: string) =>
  [...page.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => ({
    written: m[1]!,
    url: new URL(m[1]!, base),
  }))

describe('the interactive API reference at /api/v1/docs', () => {
  // A storefront too, so that its catch-all `/*` is there to lose to the reference's routes.
  const storefront = mkdtempSync(join(tmpdir(), 'api-docs-storefront-'))
  let catalog: Echoer
  let gateway: TestGateway

  beforeAll(async () => {
    writeFileSync(join(storefront, 'index.html'), '<!doctype html><title>Emporium</title>')
    catalog = await startEchoUpstream({
      name: 'catalog',
      document: {
        openapi: '3.1.0',
        info: { title: 'catalog', version: '1' },
        paths: {
          '/products/{id}': {
            get: { summary: 'One product', responses: { '200': { description: 'OK' } } },
          },
        },
      },
    })
    gateway = await startGateway({
      REDIS_URL: 'memory',
      GATEWAY_CATALOG_URLS: catalog.url,
      GATEWAY_STOREFRONT_DIR: storefront,
    })
  })

  afterAll(async () => {
    await gateway?.stop()
    await catalog?.stop()
    rmSync(storefront, { recursive: true, force: true })
  })

  it('serves Swagger UI, with or without the trailing slash, its files from the gateway', async () => {
    for (const path of ['/api/v1/docs', '/api/v1/docs/']) {
      const page = await call(`${gateway.url}${path}`, { headers: html })
      expect(page.status, path).toBe(200)
      expect(page.headers['content-type']).toMatch(/^text\/html/)
      expect(page.text).toContain('id="swagger-ui"')
      expect(page.text).not.toMatch(/https?:\/\//)
      const links = linksOf(page.text, `${gateway.url}${path}`)
      const scripts = links.filter((link) => link.written.endsWith('.js'))
      expect(scripts.map((s) => s.url.pathname)).toEqual([
        '/api/v1/docs/static/swagger-ui-bundle.js',
        '/api/v1/docs/static/swagger-ui-standalone-preset.js',
        '/api/v1/docs/static/swagger-initializer.js',
      ])
      expect(links.some((link) => link.url.pathname === '/api/v1/docs/static/swagger-ui.css')).toBe(
        true,
      )
      for (const { url } of links) {
        expect(url.origin, url.href).toBe(gateway.url)
        const file = await call(url.href)
        expect(file.status, url.pathname).toBe(200)
        const type = String(file.headers['content-type'])
        if (url.pathname.endsWith('.js')) expect(type).toMatch(/^application\/javascript/)
        if (url.pathname.endsWith('.css')) expect(type).toMatch(/^text\/css/)
        // The edge's limits apply, as to every route of the gateway (and the page it replaced).
        expect(file.headers['ratelimit-policy'], url.pathname).toBeDefined()
      }
    }
    const bundle = await call(`${gateway.url}/api/v1/docs/static/swagger-ui-bundle.js`)
    expect(bundle.text).toContain('SwaggerUIBundle')
  })

  it('points Swagger UI at the merged public document, and nowhere else', async () => {
    const initializer = await call(`${gateway.url}/api/v1/docs/static/swagger-initializer.js`)
    expect(initializer.status).toBe(200)
    expect(initializer.headers['content-type']).toMatch(/^application\/javascript/)
    const config = JSON.parse(/const config = (\{.*\})\n/.exec(initializer.text)![1]!) as {
      urls: Array<{ url: string }>
    }
    expect(config.urls.map((u) => u.url)).toEqual(['/api/v1/openapi.json'])
    // Swagger UI's default would send the document to validator.swagger.io.
    expect(initializer.text).toContain('validatorUrl: null')
    const code = initializer.text.replace(/^\s*\/\/.*$/gm, '')
    expect(code).not.toMatch(/https?:\/\//)

    // The plugin's own document routes lead to the same document.
    for (const path of ['/api/v1/docs/json', '/api/v1/docs/yaml']) {
      const answer = await call(`${gateway.url}${path}`)
      expect(answer.status, path).toBe(302)
      expect(answer.headers.location).toBe('/api/v1/openapi.json')
    }
    const document = await call(`${gateway.url}/api/v1/openapi.json`)
    expect(document.status).toBe(200)
    const paths = Object.keys(document.json<{ paths: object }>().paths)
    expect(paths).toEqual(['/api/v1/products/{id}'])
    // Nor in the gateway's own generated document.
    const own = await call(`${gateway.url}/openapi.json`)
    expect(Object.keys(own.json<{ paths: object }>().paths)).toEqual([])
  })

  it('sends its own policy, this origin only, on the page and its files; others keep theirs', async () => {
    for (const path of ['/api/v1/docs', '/api/v1/docs/static/swagger-ui-bundle.js']) {
      const answer = await call(`${gateway.url}${path}`)
      const policy = String(answer.headers['content-security-policy'])
      expect(policy, path).toBe(apiDocsContentSecurityPolicy)
      const byName = directives(policy)
      expect(byName['default-src']).toEqual(["'none'"])
      expect(byName['script-src']).toEqual(["'self'"])
      expect(byName['connect-src']).toEqual(["'self'"])
      expect(byName['frame-ancestors']).toEqual(["'none'"])
      for (const source of Object.values(byName).flat()) {
        expect(source, policy).toMatch(/^(?:'self'|'none'|'sha256-[A-Za-z0-9+/]+={0,2}'|data:)$/)
      }
    }
    for (const path of ['/api/v1/openapi.json', '/api/v1/docs/unknown']) {
      const answer = await call(`${gateway.url}${path}`)
      expect(answer.headers['content-security-policy'], path).toBe(jsonPolicy)
    }
  })

  it("allows by hash exactly the inline styles Swagger UI's scripts render", () => {
    const folder = join(dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')))
    const styles = readdirSync(join(folder, 'static'))
      .filter((file) => file.endsWith('.js'))
      .flatMap((file) => [
        ...readFileSync(join(folder, 'static', file), 'utf8').matchAll(
          /createElement\("style",null,("(?:[^"\\]|\\.)*")\)/g,
        ),
      ])
      .map((m) => JSON.parse(m[1]!) as string)
    expect(styles.length).toBeGreaterThan(0)
    const hashes = styles.map(
      (style) => `'sha256-${createHash('sha256').update(style).digest('base64')}'`,
    )
    expect([...new Set(hashes)].sort()).toEqual([...swaggerUiInlineStyleHashes].sort())
    expect(directives(apiDocsContentSecurityPolicy)['style-src']).toEqual([
      "'self'",
      ...swaggerUiInlineStyleHashes,
    ])
  })

  it('compresses its files and lets browsers revalidate them', async () => {
    const path = '/api/v1/docs/static/swagger-ui-bundle.js'
    const first = await call(`${gateway.url}${path}`, { headers: { 'accept-encoding': 'br' } })
    expect(first.status).toBe(200)
    expect(first.headers['content-encoding']).toBe('br')
    const etag = String(first.headers.etag)
    expect(etag).toMatch(/^(?:W\/)?"/)
    const again = await call(`${gateway.url}${path}`, {
      headers: { 'accept-encoding': 'br', 'if-none-match': etag },
    })
    expect(again.status).toBe(304)
    expect(again.text).toBe('')
    expect(again.headers['content-encoding']).toBeUndefined()
  })

  it("sends its files encoded once, from memory: the package's bytes, under the reference's policy", async () => {
    const folder = join(dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')))
    const file = readFileSync(join(folder, 'static', 'swagger-ui-bundle.js'))
    const url = `${gateway.url}/api/v1/docs/static/swagger-ui-bundle.js`
    for (const [encoding, decode] of [
      ['br', brotliDecompressSync],
      ['gzip', gunzipSync],
    ] as const) {
      const answers = await Promise.all(
        [1, 2].map(async () => {
          const response = await request(url, { headers: { 'accept-encoding': encoding } })
          return { headers: response.headers, body: Buffer.from(await response.body.arrayBuffer()) }
        }),
      )
      for (const { headers, body } of answers) {
        expect(headers['content-encoding']).toBe(encoding)
        expect(headers['content-type']).toMatch(/javascript/)
        expect(headers['content-security-policy']).toBe(apiDocsContentSecurityPolicy)
        expect(decode(body).equals(file)).toBe(true)
      }
      expect(answers[1]!.headers.etag).toBe(answers[0]!.headers.etag)
      // Through the gateway's own hooks, a 304 carries the tag the 200 did.
      const held = await request(url, {
        headers: {
          'accept-encoding': encoding,
          'if-none-match': answers[0]!.headers.etag as string,
        },
      })
      await held.body.dump()
      expect(held.statusCode).toBe(304)
      expect(held.headers.etag).toBe(answers[0]!.headers.etag)
    }
  })

  it('keeps /api/v1/docs/* out of the proxy and the storefront', async () => {
    const before = catalog.received.length
    for (const path of ['/api/v1/docs/static/missing.js', '/api/v1/docs/unknown']) {
      const answer = await call(`${gateway.url}${path}`, { headers: html })
      expect(answer.status, path).toBe(404)
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/)
    }
    expect(catalog.received.length).toBe(before)
  })
})
