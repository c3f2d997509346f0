import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import Fastify from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import type { OpenApiSource, ServiceDocument } from '../app/ports.js'
import { createRouteMatcher } from '../domain/route-match.js'
import { routeTable } from '../domain/route-table.js'
import { publicDocument } from './public-document.js'

const ok = { '200': { description: 'OK' } }
const catalogDocument = (summary: string) => ({
  openapi: '3.1.0',
  info: { title: 'catalog', version: '1' },
  paths: { '/products': { get: { summary, responses: ok } } },
})

describe('the public OpenAPI document (GET /api/v1/openapi.json)', () => {
  // A fake of the gateway's own port: the documents it holds, as the cached source keeps them.
  let documents: ServiceDocument[] = [{ upstream: 'catalog', document: catalogDocument('List') }]
  const source: OpenApiSource = { documents: async () => documents }
  // The merge asks the route table about every path: counted, it says when a merge ran.
  const matcher = createRouteMatcher(routeTable)
  let lookups = 0
  const match: typeof matcher = (method, segments) => {
    lookups++
    return matcher(method, segments)
  }
  const app = Fastify()
  app.get('/api/v1/openapi.json', publicDocument(source, match))
  afterAll(() => app.close())

  const get = (headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers })

  it('merges once per set of documents, and answers the same bytes with their ETag', async () => {
    const first = await get()
    expect(first.statusCode).toBe(200)
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(first.json()).toMatchObject({
      paths: { '/api/v1/products': { get: { summary: 'List' } } },
    })
    expect(first.headers.etag).toMatch(/^"[\w-]+"$/)
    expect(first.headers['cache-control']).toBe('public, no-cache')
    const merged = lookups
    expect(merged).toBeGreaterThan(0)

    const again = await get()
    expect(again.body).toBe(first.body)
    expect(again.headers.etag).toBe(first.headers.etag)
    expect(lookups).toBe(merged)
  })

  it('answers 304 to a reader who holds it, weakly compared (a compressed copy)', async () => {
    const { headers } = await get()
    const held = await get({ 'if-none-match': headers.etag as string })
    expect(held.statusCode).toBe(304)
    expect(held.body).toBe('')
    expect(held.headers.etag).toBe(headers.etag)
    expect((await get({ 'if-none-match': `W/${headers.etag as string}` })).statusCode).toBe(304)
    expect((await get({ 'if-none-match': '"other"' })).statusCode).toBe(200)
  })

  it('sends brotli or gzip, encoded once per version, under the weak form of the tag', async () => {
    const plain = await get()
    const merged = lookups
    for (const [encoding, decode] of [
      ['br', brotliDecompressSync],
      ['gzip', gunzipSync],
    ] as const) {
      const first = await get({ 'accept-encoding': encoding })
      expect(first.statusCode).toBe(200)
      expect(first.headers['content-encoding']).toBe(encoding)
      expect(first.headers['content-type']).toBe('application/json; charset=utf-8')
      expect(first.headers.vary).toBe('accept-encoding')
      expect(first.headers.etag).toBe(`W/${plain.headers.etag as string}`)
      expect(decode(first.rawPayload).toString()).toBe(plain.body)
      const again = await get({ 'accept-encoding': encoding })
      expect(again.rawPayload.equals(first.rawPayload)).toBe(true)
      // Either tag earns a 304, which carries the one a 200 would.
      const held = await get({
        'accept-encoding': encoding,
        'if-none-match': plain.headers.etag as string,
      })
      expect(held.statusCode).toBe(304)
      expect(held.headers.etag).toBe(first.headers.etag)
    }
    expect(lookups).toBe(merged)
  })

  it('merges anew when a service document is fetched anew, with a new ETag', async () => {
    const before = await get()
    const merged = lookups
    documents = [{ upstream: 'catalog', document: catalogDocument('List the products') }]
    const after = await get()
    expect(lookups).toBeGreaterThan(merged)
    expect(after.json()).toMatchObject({
      paths: { '/api/v1/products': { get: { summary: 'List the products' } } },
    })
    expect(after.headers.etag).not.toBe(before.headers.etag)
    expect((await get({ 'if-none-match': before.headers.etag as string })).statusCode).toBe(200)
  })
})
