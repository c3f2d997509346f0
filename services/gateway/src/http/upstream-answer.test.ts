import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import { Pool } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamAnswer, bufferLimit, isSmall } from './upstream-answer.js'
import type { UpstreamResponse } from './upstream-errors.js'

// The upstream: a real HTTP server whose answer each test chooses by path.
let server: Server
let pool: Pool
const closed: string[] = []
const large = Buffer.alloc(bufferLimit + 1, 'x')

beforeAll(async () => {
  server = createServer((req, res) => {
    res.on('close', () => {
      if (!res.writableFinished) closed.push(req.url!)
    })
    const path = req.url!
    if (path === '/small')
      return send(res, 200, '{"ok":true}', { 'surrogate-control': 'max-age=5' })
    if (path === '/large') return send(res, 200, large)
    if (path === '/empty') return send(res, 204, '')
    if (path === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: 1\n\n')
      setTimeout(() => res.end('data: 2\n\n'), 30)
      return
    }
    if (path === '/slow-small') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '20' })
      res.write('{"partial":')
      return // the rest never comes
    }
    if (path === '/cut') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
      res.write('{"partial":')
      setTimeout(() => res.destroy(), 20)
      return
    }
    if (path === '/endless') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: 1\n\n')
      return
    }
    if (path === '/cut-stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: 1\n\n')
      setTimeout(() => res.destroy(), 20)
      return
    }
    send(res, 404, '{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})

afterAll(async () => {
  await pool.destroy()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

function send(res: ServerResponse, status: number, body: string | Buffer, headers = {}) {
  const length = status === 204 ? {} : { 'content-length': Buffer.byteLength(body) }
  res.writeHead(status, { 'content-type': 'application/json', ...length, ...headers })
  res.end(body)
}

/** Forwards `path`; resolves with every call of `done` seen within a moment of the first. */
function forward(path: string, method = 'GET', onAnswer?: (answer: UpstreamAnswer) => void) {
  const calls: Array<{ error: Error | null; response?: UpstreamResponse }> = []
  return new Promise<typeof calls>((resolve) => {
    const answer = new UpstreamAnswer(method, (error, response) => {
      calls.push({ error, response })
      if (calls.length === 1) setTimeout(() => resolve(calls), 50)
    })
    pool.dispatch({ path, method: method as 'GET' }, answer)
    onAnswer?.(answer)
  })
}

async function readStream(response: UpstreamResponse | undefined): Promise<string> {
  let text = ''
  for await (const chunk of response!.stream!) text += String(chunk)
  return text
}

describe('an upstream answer', () => {
  it('hands over a small answer whole, once, with its headers for the client', async () => {
    const calls = await forward('/small')
    expect(calls).toHaveLength(1)
    const [{ error, response }] = calls as [(typeof calls)[0]]
    expect(error).toBeNull()
    expect(response!.stream).toBeUndefined()
    expect(response!.body!.toString()).toBe('{"ok":true}')
    expect(response!.statusCode).toBe(200)
    expect(response!.surrogate).toBe('max-age=5')
    // Filtered as the client gets them (forward-headers.ts).
    expect(response!.headers['surrogate-control']).toBeUndefined()
    expect(response!.headers['content-type']).toBe('application/json')
  })

  it('streams what is large, of no known length, or bodiless', async () => {
    const [big] = await forward('/large')
    expect(big!.response!.body).toBeUndefined()
    expect((await readStream(big!.response)).length).toBe(large.length)

    const [events] = await forward('/chunked')
    expect(events!.response!.body).toBeUndefined()
    expect(await readStream(events!.response)).toBe('data: 1\n\ndata: 2\n\n')

    const [empty] = await forward('/empty')
    expect(empty!.response!.statusCode).toBe(204)
    expect(await readStream(empty!.response)).toBe('')

    const [head] = await forward('/small', 'HEAD')
    expect(head!.response!.headers['content-length']).toBe('11')
    expect(await readStream(head!.response)).toBe('')
  })

  it('fails, once, when the connection ends in the middle of a small body', async () => {
    const calls = await forward('/cut')
    expect(calls).toHaveLength(1)
    expect(calls[0]!.error).toBeInstanceOf(Error)
    expect(calls[0]!.response).toBeUndefined()
  })

  it('errs a stream whose connection ends, after it was handed over', async () => {
    const calls = await forward('/cut-stream')
    expect(calls).toHaveLength(1)
    await expect(readStream(calls[0]!.response)).rejects.toThrow()
  })

  it('gives up the upstream request when aborted, before or during a small answer', async () => {
    let handler: UpstreamAnswer | undefined
    const calls = forward('/slow-small', 'GET', (answer) => (handler = answer))
    await delay(100)
    handler!.abort(new Error('client gone'))
    const [result] = await calls
    expect(result!.error?.message).toBe('client gone')
    await expect.poll(() => closed).toContain('/slow-small')

    // Aborted before undici started it: it never completes.
    const early = await forward('/small', 'GET', (answer) => answer.abort(new Error('gone early')))
    expect(early[0]!.error?.message).toBe('gone early')
    expect(early[0]!.response).toBeUndefined()
  })

  it('closes the upstream connection of a stream given up before its end', async () => {
    const [events] = await forward('/endless')
    expect(closed).not.toContain('/endless')
    events!.response!.stream!.destroy()
    await expect.poll(() => closed, { timeout: 2_000 }).toContain('/endless')
  })
})

describe('which answers are read whole', () => {
  it('is those with a body of a known length up to the limit', () => {
    expect(isSmall('GET', 200, '11')).toBe(true)
    expect(isSmall('GET', 200, String(bufferLimit))).toBe(true)
    expect(isSmall('GET', 200, String(bufferLimit + 1))).toBe(false)
    expect(isSmall('GET', 200, undefined)).toBe(false)
    expect(isSmall('GET', 200, '0')).toBe(false)
    expect(isSmall('GET', 200, 'abc')).toBe(false)
    expect(isSmall('HEAD', 200, '11')).toBe(false)
    expect(isSmall('GET', 204, '11')).toBe(false)
    expect(isSmall('GET', 304, '11')).toBe(false)
  })
})
