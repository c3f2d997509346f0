import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUsers, type FakeUsers } from './fake-upstreams.js'
import { bearer, call, startGateway, type TestGateway } from './gateway-harness.js'

const get = (base: string, path: string, headers: Record<string, string> = {}, method = 'GET') =>
  call(`${base}${path}`, { method, headers })

/**
 * A catalog that answers as the platform's cached reads do: `surrogate-control` on shared
 * answers (not to staff, who send `x-staff` here, nor on `/products/plain`), `private` to callers
 * with credentials. Each answer names the catalog's version and how many calls it has had.
 */
async function startCatalog() {
  const asked: IncomingMessage[] = []
  let version = 1
  const server: Server = createServer((req, res) => {
    asked.push(req)
    const path = (req.url ?? '').split('?')[0]!
    const credentials = req.headers.authorization !== undefined
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': credentials ? 'private, no-cache' : 'public, no-cache',
      vary: 'authorization',
      etag: `"v${version}"`,
    }
    if (path !== '/products/plain') headers['surrogate-control'] = 'max-age=1'
    if (path === '/products/cookie') headers['set-cookie'] = 'seen=1'
    if (path === '/products/language') headers.vary = 'accept-language'
    // With its length, as fastify sends JSON (an answer in chunks streams past the cache).
    const send = (status: number, body: string) => {
      res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) })
      res.end(body)
    }
    if (req.method === 'PATCH') {
      // A change through the gateway: applied, or refused (400) when the body says so.
      let text = ''
      req.on('data', (chunk: Buffer) => (text += chunk.toString()))
      req.on('end', () => {
        const refused = text.includes('refuse')
        if (!refused) version += 1
        headers['content-type'] = refused ? 'application/problem+json' : headers['content-type']!
        send(refused ? 400 : 200, JSON.stringify({ version }))
      })
      return
    }
    if (path === '/products/missing') {
      headers['content-type'] = 'application/problem+json'
      return send(404, JSON.stringify({ status: 404, code: 'CATALOG.NOT_FOUND' }))
    }
    send(200, JSON.stringify({ version, calls: asked.length, url: req.url }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => asked.length,
    change: () => (version += 1),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

describe("the gateway's read cache", () => {
  let users: FakeUsers
  let catalog: Awaited<ReturnType<typeof startCatalog>>
  let gateway: TestGateway
  let fresh: TestGateway
  let shopper: string
  let staff: string

  beforeAll(async () => {
    ;[users, catalog] = await Promise.all([startFakeUsers(), startCatalog()])
    const upstreams = { GATEWAY_USERS_URLS: users.url, GATEWAY_CATALOG_URLS: catalog.url }
    // A minute: longer than any test here, so that a slow machine cannot expire an entry
    // between two calls; the upstream's max-age (1 s) still bounds it.
    gateway = await startGateway({
      ...upstreams,
      REDIS_URL: 'memory',
      GATEWAY_READ_CACHE_MS: 60_000,
    })
    fresh = await startGateway({ ...upstreams, REDIS_URL: 'memory', GATEWAY_READ_CACHE_MS: 0 })
    shopper = await users.token()
    staff = await users.token({ sub: 'staff-1', roles: ['catalog_manager'] })
  })
  afterAll(async () => {
    await Promise.all([gateway?.stop(), fresh?.stop()])
    await Promise.all([users?.stop(), catalog?.stop()])
  })

  /** Calls the catalog saw for `fn`. */
  async function asked(fn: () => Promise<unknown>): Promise<number> {
    const before = catalog.calls()
    await fn()
    return catalog.calls() - before
  }

  it('answers a repeated anonymous GET from memory, with its parameters in any order', async () => {
    const first = await get(gateway.url, '/api/v1/products?limit=20&q=lamp')
    expect(first.status).toBe(200)
    const again = await get(gateway.url, '/api/v1/products?q=lamp&limit=20')
    expect(again.status).toBe(200)
    expect(again.text).toBe(first.text)
    expect(again.headers['cache-control']).toBe('public, no-cache')
    expect(again.headers.etag).toBe(first.headers.etag)
    // Meant for the gateway alone.
    expect(first.headers['surrogate-control']).toBeUndefined()
    expect(again.headers['surrogate-control']).toBeUndefined()
    // Still limited, as every request is.
    expect(again.headers['ratelimit-remaining']).toBeDefined()
    expect(await asked(() => get(gateway.url, '/api/v1/products?limit=20&q=lamp'))).toBe(0)
    const metrics = await fetch(`${gateway.managementUrl}/metrics`).then((r) => r.text())
    expect(metrics).toMatch(/gateway_read_cache_total\{[^}]*result="hit"[^}]*\} [1-9]/)
  })

  it("keeps a shopper's copy apart from the public one, and never answers staff from it", async () => {
    await get(gateway.url, '/api/v1/products?page=shoppers')
    const signedIn = await get(gateway.url, '/api/v1/products?page=shoppers', bearer(shopper))
    expect(signedIn.headers['cache-control']).toBe('private, no-cache')
    const repeat = await get(gateway.url, '/api/v1/products?page=shoppers', bearer(shopper))
    expect(repeat.text).toBe(signedIn.text)
    expect(repeat.headers['cache-control']).toBe('private, no-cache')
    const staffCalls = await asked(async () => {
      for (let i = 0; i < 3; i++) {
        const answer = await get(gateway.url, '/api/v1/products?page=shoppers', bearer(staff))
        expect(answer.status).toBe(200)
      }
    })
    expect(staffCalls).toBe(3)
  })

  it('asks the upstream for what it did not mark, errors, cookies, other varies, conditionals and HEADs', async () => {
    const twice = async (path: string, headers: Record<string, string> = {}, method = 'GET') =>
      asked(async () => {
        await get(gateway.url, path, headers, method)
        await get(gateway.url, path, headers, method)
      })
    expect(await twice('/api/v1/products/plain')).toBe(2)
    expect(await twice('/api/v1/products/missing')).toBe(2)
    expect(await twice('/api/v1/products/cookie')).toBe(2)
    expect(await twice('/api/v1/products/language')).toBe(2)
    expect(await twice('/api/v1/products?page=conditional', { 'if-none-match': '"v0"' })).toBe(2)
    expect(await twice('/api/v1/products?page=ranged', { range: 'bytes=0-10' })).toBe(2)
    expect(await twice('/api/v1/products?page=head', {}, 'HEAD')).toBe(2)
  })

  it('shows a change once the upstream’s max-age is spent', async () => {
    const path = '/api/v1/products?page=change'
    const before = JSON.parse((await get(gateway.url, path)).text) as { version: number }
    catalog.change()
    // The upstream allows a second; the gateway keeps no longer (60 s configured here).
    await expect
      .poll(
        async () =>
          (JSON.parse((await get(gateway.url, path)).text) as { version: number }).version,
        { timeout: 10_000, interval: 100 },
      )
      .toBeGreaterThan(before.version)
  })

  it('reads back a change written through it at once; a refused one keeps what it holds', async () => {
    const path = '/api/v1/products?page=written'
    const version = async () =>
      (JSON.parse((await get(gateway.url, path)).text) as { version: number }).version
    const before = await version()
    const patch = (body: string, headers: Record<string, string> = {}) =>
      call(`${gateway.url}/api/v1/products/p-1`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...bearer(staff), ...headers },
        body,
      })
    expect((await patch('{"refuse":true}')).status).toBe(400)
    expect(await asked(async () => expect(await version()).toBe(before))).toBe(0)
    expect((await patch('{"price":1}')).status).toBe(200)
    // The next read reaches the catalog and shows the change, well within the max-age.
    expect(await version()).toBe(before + 1)
    // Shoppers' copies too.
    const signedIn = await get(gateway.url, path, bearer(shopper))
    expect((JSON.parse(signedIn.text) as { version: number }).version).toBe(before + 1)
  })

  it('is off at 0 ms: every GET reaches the upstream', async () => {
    expect(
      await asked(async () => {
        await get(fresh.url, '/api/v1/products?page=off')
        await get(fresh.url, '/api/v1/products?page=off')
      }),
    ).toBe(2)
  })
})
