import { readdirSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import { etagOf, noneMatch } from '@emporium/platform'
import { negotiate } from '@fastify/accept-negotiator'
import type { FastifyReply, FastifyRequest } from 'fastify'

const types: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
}
export type Encoding = 'br' | 'gzip'
const encodings: Encoding[] = ['br', 'gzip']

/** The encoding this request accepts that the gateway prefers (brotli, then gzip), if any. */
export function acceptedEncoding(request: FastifyRequest): Encoding | undefined {
  const accepted = request.headers['accept-encoding']
  return (accepted ? negotiate(accepted, encodings) : null) ?? undefined
}

/** `bytes` encoded (brotli quality 9, gzip level 9), in zlib's threads. */
export const encode: Record<Encoding, (bytes: Buffer) => Promise<Buffer>> = {
  br: (bytes) =>
    promisify(brotliCompress)(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 9,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  gzip: (bytes) => promisify(gzip)(bytes, { level: 9 }),
}

interface Encoded {
  body: Buffer
  etag: string
}

/**
 * An `onRequest` hook that answers `GET`/`HEAD` of the text files in `dir` under `prefix` (a
 * package's files that another plugin serves, e.g. Swagger UI's) brotli- or gzip-encoded from
 * memory, each encoded once per process, the first time a client asks for it (in zlib's
 * threads, not on the event loop). Other requests, a client that accepts neither encoding and
 * files under 1 KB pass on to the route. Swagger UI's script is 1.7 MB: encoded for every
 * request, it cost ~50 ms of CPU each, so that a few clients asking for it again and again (each
 * within its rate limit) could take the gateway's cores from everyone else. The answer carries
 * the file's type, `vary: accept-encoding`, `cache-control: public, max-age=0` and the weak form
 * of the file's ETag (304 to a client that holds it).
 */
export function encodedFiles(options: { dir: string; prefix: string }) {
  const files = new Map<string, { path: string; type: string }>()
  for (const name of readdirSync(options.dir)) {
    const path = join(options.dir, name)
    const type = types[extname(name)]
    if (type && statSync(path).size >= 1024) files.set(`${options.prefix}${name}`, { path, type })
  }
  const cache = new Map<string, Promise<Encoded>>()
  const encoded = (path: string, encoding: Encoding): Promise<Encoded> => {
    const key = `${encoding}:${path}`
    let pending = cache.get(key)
    if (pending === undefined) {
      // The tag is the weak form of the file's own (compression.ts: an encoded body is other
      // bytes than the file's), the same for both encodings and on a 304.
      pending = readFile(path).then(async (bytes) => ({
        body: await encode[encoding](bytes),
        etag: `W/${etagOf(bytes)}`,
      }))
      // A failure is not kept: the next request tries again (and this one is served as before).
      pending.catch(() => cache.delete(key))
      cache.set(key, pending)
    }
    return pending
  }

  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return
    const file = files.get(request.url.split('?', 1)[0]!)
    if (file === undefined) return
    const encoding = acceptedEncoding(request)
    if (encoding === undefined) return
    const answer = await encoded(file.path, encoding).catch(() => undefined)
    if (answer === undefined) return
    reply
      .header('content-type', file.type)
      .header('content-encoding', encoding)
      .header('vary', 'accept-encoding')
      .header('cache-control', 'public, max-age=0')
      .header('etag', answer.etag)
    if (noneMatch(request.headers['if-none-match'], answer.etag)) {
      return reply.code(304).removeHeader('content-encoding').send()
    }
    return reply.send(answer.body)
  }
}
