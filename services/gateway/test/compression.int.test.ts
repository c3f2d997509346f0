import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { largeItems, startEchoUpstream, startFakeUsers, type FakeUsers } from './fake-upstreams.js'
import { bearer, startGateway, type TestGateway } from './gateway-harness.js'

type Echoer = Awaited<ReturnType<typeof startEchoUpstream>>
// Twenty kilobytes of script, as a built bundle is: well over the threshold, and compressible.
const script = Array.from({ length: 400 }, (_, i) => `export const item${i} = "shop ${i}";`).join(
  '\n',
)
const agent = new Agent({ keepAliveTimeout: 10 })
const builtCopy = `${script}\n// the build's copy`
const built = { br: brotliCompressSync(builtCopy), gz: gzipSync(builtCopy) }

/** One call, its body kept as bytes (undici's request does not decode content-encoding). */
async function raw(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await request(url, { dispatcher: agent, method: method as 'GET', headers })
  const body = Buffer.from(await response.body.arrayBuffer())
  return { status: response.statusCode, headers: response.headers, body }
}

describe('compression at the gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'storefront-compressed-'))
  let users: FakeUsers
  let catalog: Echoer
  let notifications: Echoer
  let gateway: TestGateway
  let token: string

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Emporium</title>')
    writeFileSync(join(dir, 'assets', 'app-1a2b3c.js'), script)
    writeFileSync(join(dir, 'assets', 'tiny-000.css'), 'body{margin:0}')
    // A file with the build's copies (apps/storefront/vite.config.ts); marked, so that a copy
    // sent as it is can be told from one compressed here.
    writeFileSync(join(dir, 'assets', 'built-4d5e6f.js'), script)
    writeFileSync(join(dir, 'assets', 'built-4d5e6f.js.br'), built.br)
    writeFileSync(join(dir, 'assets', 'built-4d5e6f.js.gz'), built.gz)
    ;[users, catalog, notifications] = await Promise.all([
      startFakeUsers(),
      startEchoUpstream({ name: 'catalog' }),
      startEchoUpstream({ name: 'notifications' }),
    ])
    gateway = await startGateway({
      REDIS_URL: 'memory',
      GATEWAY_STOREFRONT_DIR: dir,
      GATEWAY_USERS_URLS: users.url,
      GATEWAY_CATALOG_URLS: catalog.url,
      GATEWAY_NOTIFICATIONS_URLS: notifications.url,
    })
    token = await users.token()
  })
  afterAll(async () => {
    await gateway?.stop()
    await Promise.all([users, catalog, notifications].map((s) => s?.stop()))
    await agent.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('sends a script brotli-encoded to a client that accepts br, the same bytes decoded', async () => {
    const answer = await raw(`${gateway.url}/assets/app-1a2b3c.js`, { 'accept-encoding': 'br' })
    expect(answer.status).toBe(200)
    expect(answer.headers['content-encoding']).toBe('br')
    expect(answer.headers['vary']).toMatch(/accept-encoding/i)
    expect(answer.headers['content-type']).toMatch(/javascript/)
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(answer.body.length).toBeLessThan(script.length / 3)
    expect(brotliDecompressSync(answer.body).toString()).toBe(script)
  })

  it('sends gzip to a client that accepts only gzip, and identity without accept-encoding', async () => {
    const gzipped = await raw(`${gateway.url}/assets/app-1a2b3c.js`, {
      'accept-encoding': 'gzip',
    })
    expect(gzipped.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gzipped.body).toString()).toBe(script)

    const plain = await raw(`${gateway.url}/assets/app-1a2b3c.js`)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.headers['content-length']).toBe(String(Buffer.byteLength(script)))
    expect(plain.body.toString()).toBe(script)
  })

  it('keeps revalidation: the ETag of an encoded answer gets 304 with no body', async () => {
    const first = await raw(`${gateway.url}/assets/app-1a2b3c.js`, { 'accept-encoding': 'br' })
    const etag = first.headers['etag'] as string
    expect(etag).toBeDefined()
    const again = await raw(`${gateway.url}/assets/app-1a2b3c.js`, {
      'accept-encoding': 'br',
      'if-none-match': etag,
    })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
    expect(again.headers['content-encoding']).toBeUndefined()
  })

  it('answers HEAD with the headers of a GET and no body', async () => {
    const head = await raw(
      `${gateway.url}/assets/app-1a2b3c.js`,
      { 'accept-encoding': 'br' },
      'HEAD',
    )
    expect(head.status).toBe(200)
    expect(head.body.length).toBe(0)
    expect(head.headers['content-type']).toMatch(/javascript/)
    // The GET's length, unencoded: nothing is encoded for a body that is not sent.
    expect(head.headers['content-encoding']).toBeUndefined()
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(script)))
  })

  it("sends the build's .br and .gz copies as they are, and the file itself to the others", async () => {
    const url = `${gateway.url}/assets/built-4d5e6f.js`
    const br = await raw(url, { 'accept-encoding': 'gzip, deflate, br' })
    expect(br.status).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers['vary']).toMatch(/accept-encoding/i)
    expect(br.headers['content-type']).toMatch(/javascript/)
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(br.headers['content-length']).toBe(String(built.br.length))
    expect(br.body.equals(built.br)).toBe(true)
    expect(brotliDecompressSync(br.body).toString()).toBe(builtCopy)

    const gz = await raw(url, { 'accept-encoding': 'gzip' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gz.body.equals(built.gz)).toBe(true)

    const plain = await raw(url)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.headers['vary']).toMatch(/accept-encoding/i)
    expect(plain.body.toString()).toBe(script)

    // HEAD: the GET's headers (its encoding and length), no body.
    const head = await raw(url, { 'accept-encoding': 'br' }, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.body.length).toBe(0)
    expect(head.headers['content-encoding']).toBe('br')
    expect(head.headers['content-length']).toBe(String(built.br.length))

    const again = await raw(url, {
      'accept-encoding': 'br',
      'if-none-match': br.headers['etag'] as string,
    })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
  })

  it('leaves files under the threshold as they are', async () => {
    const tiny = await raw(`${gateway.url}/assets/tiny-000.css`, { 'accept-encoding': 'br' })
    expect(tiny.status).toBe(200)
    expect(tiny.headers['content-encoding']).toBeUndefined()
    expect(tiny.body.toString()).toBe('body{margin:0}')
  })

  it('compresses JSON from an upstream that did not, and passes on what one did', async () => {
    const plain = await raw(`${gateway.url}/api/v1/products/large`, { 'accept-encoding': 'br' })
    expect(plain.status).toBe(200)
    expect(plain.headers['content-encoding']).toBe('br')
    expect(JSON.parse(brotliDecompressSync(plain.body).toString())).toEqual({ items: largeItems })

    const encoded = await raw(`${gateway.url}/api/v1/products/gzipped`, {
      'accept-encoding': 'br, gzip',
    })
    expect(encoded.status).toBe(200)
    expect(encoded.headers['content-encoding']).toBe('gzip')
    expect(JSON.parse(gunzipSync(encoded.body).toString())).toEqual({ items: largeItems })
  })

  it("passes an upstream's validators on: a weak tag for an encodable answer, 304 to it", async () => {
    const url = `${gateway.url}/api/v1/products/tagged`
    const plain = await raw(url)
    expect(plain.headers['etag']).toBe('"large-v1"')
    expect(plain.headers['cache-control']).toBe('public, no-cache')
    const encoded = await raw(url, { 'accept-encoding': 'br' })
    expect(encoded.headers['content-encoding']).toBe('br')
    expect(encoded.headers['etag']).toBe('W/"large-v1"')
    expect(encoded.headers['vary']).toMatch(
      /authorization.*accept-encoding|accept-encoding.*authorization/i,
    )
    const revalidated = await raw(url, { 'accept-encoding': 'br', 'if-none-match': 'W/"large-v1"' })
    expect(revalidated.status).toBe(304)
    expect(revalidated.body.length).toBe(0)
    expect(revalidated.headers['etag']).toBe('W/"large-v1"')
    expect(revalidated.headers['content-encoding']).toBeUndefined()
    const identity = await raw(url, { 'if-none-match': '"large-v1"' })
    expect(identity.status).toBe(304)
    expect(identity.headers['etag']).toBe('"large-v1"')
  })

  it('never compresses an event stream: each event arrives before the stream ends', async () => {
    const response = await request(`${gateway.url}/api/v1/orders/o1/events`, {
      dispatcher: agent,
      headers: { ...bearer(token), 'accept-encoding': 'br, gzip' },
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/event-stream')
    expect(response.headers['content-encoding']).toBeUndefined()
    let text = ''
    let sawFirstWhileOpen = false
    for await (const chunk of response.body) {
      text += (chunk as Buffer).toString()
      if (!sawFirstWhileOpen && /^data: /m.test(text)) {
        sawFirstWhileOpen = !notifications.eventsEnded()
        notifications.releaseEvents()
      }
    }
    expect(sawFirstWhileOpen).toBe(true)
    expect(text.match(/^data: /gm)).toHaveLength(5)
  })
})
