import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInProcessBus, startService, type RunningService } from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { createCatalogService, loadCatalogConfig } from '../src/service.js'
import { createTestTokens } from './test-tokens.js'

// Issue 13, item 2: what reached PostgreSQL unchecked and made the catalog answer 500 (a NUL in
// the search text, a price beyond bigint, a cursor date PostgreSQL cannot hold), and where a
// product's image may come from. Each is a 400 problem now, and nothing is written.
describe('the catalog refuses hostile input with a 400 (PostgreSQL)', () => {
  const log = pino({ level: 'silent' })
  const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
  const tokens = createTestTokens()
  const admin = `Bearer ${tokens.token(['customer', 'admin'])}`
  const category = randomUUID()
  let testDb: TestDatabase
  let running: RunningService

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${running.url}${path}`, {
      method,
      headers: {
        authorization: admin,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: await response.json(),
    }
  }
  const product = (overrides: Record<string, unknown> = {}) => ({
    sku: `H-${randomUUID().slice(0, 8)}`,
    name: 'Plain item',
    price: { amount: 1000, currency: 'USD' },
    categoryId: category,
    ...overrides,
  })
  const productCount = async () => {
    const rows = await testDb.database.db.selectFrom('products').select('id').execute()
    return rows.length
  }

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres')
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
    await testDb.database.db
      .insertInto('categories')
      .values({ id: category, slug: 'things', name: 'Things' })
      .execute()
  })

  afterAll(async () => {
    await running?.stopHttp()
    await running?.stopRelay()
    await running?.close()
    await bus.close()
    await testDb?.drop()
  })

  it('refuses control characters, huge numbers and forged cursors in the listing', async () => {
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    for (const query of [
      'q=%00',
      'q=a%00b',
      'q=%1B%5B31m',
      'category=x%00',
      'minPrice=99999999999999999999',
      'maxPrice=1e20',
      'minPrice=100000000001',
      `sort=newest&cursor=${cursor(['newest', '+275760-09-13T00:00:00.000Z', 'x'])}`,
      `sort=newest&cursor=${cursor(['newest', '0000-01-01T00:00:00.000Z', 'x'])}`,
      `sort=price_asc&cursor=${cursor(['price_asc', 1e20, 'x'])}`,
      `sort=price_asc&cursor=${cursor(['price_asc', 1, 'x\u0000'])}`,
      'cursor=%00',
    ]) {
      const reply = await call('GET', `/products?${query}`)
      expect(reply.status, `${query}: ${JSON.stringify(reply.body)}`).toBe(400)
      expect(reply.type, query).toMatch(/^application\/problem\+json/)
    }
    const nul = await call('GET', '/products?q=%00')
    expect((nul.body as { errors: unknown }).errors).toEqual([
      { path: '/querystring/q', message: 'must not contain control characters' },
    ])
    expect((await call('GET', '/products?q=caf%C3%A9%20%F0%9F%98%80')).status).toBe(200)
  })

  it('refuses such values in a new or changed product, and writes nothing', async () => {
    const before = await productCount()
    for (const overrides of [
      { name: 'a\u0000b' },
      { name: 'bell\u0007' },
      { name: '\ud800' },
      { description: 'nul \u0000 inside' },
      { categoryId: 'x\u0000' },
      { price: { amount: 1e20, currency: 'USD' } },
      { price: { amount: 2 ** 53 + 2, currency: 'USD' } },
      { price: { amount: 100_000_000_001, currency: 'USD' } },
      { attributes: { 'a\u0000': 1 } },
      { attributes: { colour: 'red\u0000' } },
      { attributes: { nested: { deep: true } } },
      { imageUrl: 'javascript:alert(1)' },
      { imageUrl: '//evil.example/x.png' },
      { imageUrl: '/\\evil.example/x.png' },
      { imageUrl: 'http://cdn.example.com/x.png' },
      { imageUrl: 'data:image/svg+xml,<svg onload=alert(1)>' },
      { imageUrl: 'https://user@evil.example/x.png' },
      { imageUrl: 'images/x.png' },
    ]) {
      const reply = await call('POST', '/products', product(overrides))
      expect(reply.status, `${JSON.stringify(overrides)}: ${JSON.stringify(reply.body)}`).toBe(400)
      expect(reply.type).toMatch(/^application\/problem\+json/)
    }
    expect(await productCount()).toBe(before)

    // Multi-line text, https and platform paths are fine.
    const created = await call(
      'POST',
      '/products',
      product({
        description: 'Line one\nLine two\twith a tab',
        imageUrl: 'https://cdn.example.com/images/lamp.png?v=2',
        price: { amount: 100_000_000_000, currency: 'USD' },
        attributes: { colour: 'red', sizes: ['S', 'M'], weight: 1.5 },
      }),
    )
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const id = (created.body as { id: string }).id
    for (const patch of [
      { imageUrl: 'javascript:alert(1)' },
      { name: 'x\u0000' },
      { price: { amount: 1e20, currency: 'USD' } },
    ]) {
      const reply = await call('PATCH', `/products/${id}`, patch)
      expect(reply.status, JSON.stringify(patch)).toBe(400)
    }
    expect((await call('PATCH', `/products/${id}`, { imageUrl: '/images/lamp.svg' })).status).toBe(
      200,
    )
    const after = await call('GET', `/products/${id}`)
    expect(after.body).toMatchObject({
      imageUrl: '/images/lamp.svg',
      price: { amount: 100_000_000_000 },
    })
    expect((await call('GET', `/products/${encodeURIComponent('x\u0000')}`)).status).toBe(400)
  })
})
