import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodedFiles } from './encoded-files.js'

const script = Array.from({ length: 500 }, (_, i) => `export const item${i} = "ui ${i}";`).join(
  '\n',
)

describe('encodedFiles: a package’s files encoded once, from memory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'encoded-files-'))
  const app = Fastify()

  beforeAll(async () => {
    writeFileSync(join(dir, 'ui.js'), script)
    writeFileSync(join(dir, 'tiny.css'), 'body{margin:0}')
    writeFileSync(join(dir, 'icon.png'), Buffer.alloc(4096, 7))
    app.addHook('onRequest', encodedFiles({ dir, prefix: '/static/' }))
    // What the plugin that owns the files would answer: anything passed on lands here.
    app.get('/static/*', async () => 'passed on')
    app.post('/static/*', async () => 'passed on')
    await app.ready()
  })
  afterAll(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const get = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
    app.inject({ method, url, headers })

  it('answers brotli or gzip as the client prefers, with the type, vary, ETag and caching', async () => {
    const br = await get('/static/ui.js', { 'accept-encoding': 'gzip, deflate, br' })
    expect(br.statusCode).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers['content-type']).toBe('application/javascript; charset=utf-8')
    expect(br.headers.vary).toBe('accept-encoding')
    expect(br.headers['cache-control']).toBe('public, max-age=0')
    expect(br.headers.etag).toMatch(/^W\/"[\w-]+"$/)
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(script)
    expect(br.rawPayload.length).toBeLessThan(script.length / 3)

    const gz = await get('/static/ui.js', { 'accept-encoding': 'br;q=0, gzip' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.rawPayload).toString()).toBe(script)
    // The weak form of the file's own tag, whatever the encoding.
    expect(gz.headers.etag).toBe(br.headers.etag)
  })

  it('encodes a file once: later requests get the same bytes from memory', async () => {
    const first = await get('/static/ui.js', { 'accept-encoding': 'br' })
    writeFileSync(join(dir, 'ui.js'), 'changed on disk')
    const again = await get('/static/ui.js', { 'accept-encoding': 'br' })
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true)
    expect(again.headers.etag).toBe(first.headers.etag)
    writeFileSync(join(dir, 'ui.js'), script)
  })

  it('answers 304 to the holder of the tag, and HEAD with the headers and no body', async () => {
    const { headers } = await get('/static/ui.js', { 'accept-encoding': 'br' })
    const held = await get('/static/ui.js', {
      'accept-encoding': 'br',
      'if-none-match': headers.etag as string,
    })
    expect(held.statusCode).toBe(304)
    expect(held.rawPayload.length).toBe(0)
    expect(held.headers['content-encoding']).toBeUndefined()
    expect(held.headers.etag).toBe(headers.etag)

    const head = await get('/static/ui.js', { 'accept-encoding': 'br' }, 'HEAD')
    expect(head.statusCode).toBe(200)
    expect(head.rawPayload.length).toBe(0)
    expect(head.headers['content-encoding']).toBe('br')
    expect(head.headers.etag).toBe(headers.etag)
  })

  it('passes on what it does not encode: no accepted encoding, small or binary files, others', async () => {
    for (const [url, headers] of [
      ['/static/ui.js', {}],
      ['/static/ui.js', { 'accept-encoding': 'identity' }],
      ['/static/ui.js', { 'accept-encoding': 'br;q=0, gzip;q=0' }],
      ['/static/tiny.css', { 'accept-encoding': 'br' }],
      ['/static/icon.png', { 'accept-encoding': 'br' }],
      ['/static/missing.js', { 'accept-encoding': 'br' }],
      ['/static/ui.js.br', { 'accept-encoding': 'br' }],
    ] as const) {
      const answer = await get(url, headers)
      expect(answer.body, `${url} ${JSON.stringify(headers)}`).toBe('passed on')
      expect(answer.headers['content-encoding']).toBeUndefined()
    }
    const posted = await app.inject({
      method: 'POST',
      url: '/static/ui.js',
      headers: { 'accept-encoding': 'br' },
    })
    expect(posted.body).toBe('passed on')
  })
})
