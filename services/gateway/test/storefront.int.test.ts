import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pageContentSecurityPolicy } from '../src/http/storefront.js'
import { call, startGateway, type TestGateway } from './gateway-harness.js'

const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }
const indexHtml =
  '<!doctype html><title>Emporium</title><script src="/assets/app-1a2b3c.js"></script>'

/**
 * A built storefront (index.html, a hashed script, an icon) in a folder of its own, and a
 * gateway serving it with `config`; both gone after the describe block.
 */
function gatewayWithStorefront(config: Record<string, string | number> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'storefront-'))
  const started: { gateway?: TestGateway } = {}
  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), indexHtml)
    writeFileSync(join(dir, 'assets', 'app-1a2b3c.js'), 'console.log("shop")')
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
    started.gateway = await startGateway({
      REDIS_URL: 'memory',
      GATEWAY_STOREFRONT_DIR: dir,
      ...config,
    })
  })
  afterAll(async () => {
    await started.gateway?.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  return () => started.gateway!
}

describe('the storefront served by the gateway', () => {
  const running = gatewayWithStorefront()
  let gateway: TestGateway
  beforeAll(() => {
    gateway = running()
  })

  it('serves index.html at / with the page policy and no caching', async () => {
    const answer = await call(`${gateway.url}/`, { headers: html })
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toMatch(/^text\/html/)
    expect(answer.text).toBe(indexHtml)
    expect(answer.headers['content-security-policy']).toBe(pageContentSecurityPolicy)
    expect(answer.headers['cache-control']).toBe('no-cache')
    expect(answer.headers['ratelimit-limit']).toBeDefined()
  })

  it('serves index.html at a deep client-side path', async () => {
    const answer = await call(`${gateway.url}/products/p-42?from=home`, { headers: html })
    expect(answer.status).toBe(200)
    expect(answer.text).toBe(indexHtml)
    expect(answer.headers['content-security-policy']).toBe(pageContentSecurityPolicy)
  })

  it('serves hashed assets with long caching, other files revalidated', async () => {
    const asset = await call(`${gateway.url}/assets/app-1a2b3c.js`)
    expect(asset.status).toBe(200)
    expect(asset.headers['content-type']).toMatch(/javascript/)
    expect(asset.text).toBe('console.log("shop")')
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    const icon = await call(`${gateway.url}/favicon.svg`)
    expect(icon.status).toBe(200)
    expect(icon.headers['cache-control']).toBe('no-cache')
  })

  it('keeps the API and unknown files as JSON 404 problems', async () => {
    for (const path of ['/api/v1/unknown', '/api/nothing', '/.well-known/other']) {
      const answer = await call(`${gateway.url}${path}`, { headers: html })
      expect(answer.status, path).toBe(404)
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(answer.json()).toMatchObject({ status: 404, code: 'HTTP.NOT_FOUND' })
    }
    const missing = await call(`${gateway.url}/assets/gone-000.js`, {
      headers: { accept: '*/*' },
    })
    expect(missing.status).toBe(404)
    const escape = await call(`${gateway.url}/..%2f..%2fetc%2fpasswd`)
    expect(escape.status).toBe(404)
  })

  it('still answers the JSON index at / to clients that do not ask for HTML', async () => {
    const answer = await call(`${gateway.url}/`, { headers: { accept: 'application/json' } })
    expect(answer.status).toBe(200)
    expect(answer.json()).toMatchObject({ name: 'Emporium', api: '/api/v1' })
  })
})

describe('the gateway without a storefront build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'storefront-empty-'))
  let gateway: TestGateway

  beforeAll(async () => {
    gateway = await startGateway({ REDIS_URL: 'memory', GATEWAY_STOREFRONT_DIR: dir })
  })
  afterAll(async () => {
    await gateway.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers the JSON index at / and a 404 problem elsewhere', async () => {
    const index = await call(`${gateway.url}/`, { headers: html })
    expect(index.status).toBe(200)
    expect(index.json()).toMatchObject({ name: 'Emporium', docs: '/api/v1/docs' })
    expect(index.headers['content-security-policy']).toContain("default-src 'none'")
    const deep = await call(`${gateway.url}/products/p-42`, { headers: html })
    expect(deep.status).toBe(404)
    expect(deep.headers['content-type']).toMatch(/^application\/problem\+json/)
  })
})

describe('the storefront while the gateway lags', () => {
  const running = gatewayWithStorefront({ GATEWAY_MAX_EVENT_LOOP_DELAY_MS: 50 })

  it('serves its pages and files, and sheds only the API with retry-after', async () => {
    const server = running().running.server
    // Block the loop well past the bound, then let the guard's sampler run once.
    const until = Date.now() + 600
    while (Date.now() < until);
    await new Promise((resolve) => setTimeout(resolve, 0))
    const [api, page, deep, asset] = await Promise.all([
      server.inject({ url: '/api/v1/categories' }),
      server.inject({ url: '/', headers: html }),
      server.inject({ url: '/products?minPrice=5000&maxPrice=1000', headers: html }),
      server.inject({ url: '/assets/app-1a2b3c.js' }),
    ])
    expect(api.statusCode).toBe(503)
    expect(api.json()).toMatchObject({ code: 'HTTP.OVERLOADED' })
    expect(api.headers['retry-after']).toBe('1')
    expect([page.statusCode, deep.statusCode, asset.statusCode]).toEqual([200, 200, 200])
    expect(page.body).toBe(indexHtml)
    expect(asset.body).toBe('console.log("shop")')
  })
})
