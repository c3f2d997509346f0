import { etagOf, noneMatch } from '@emporium/platform'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { OpenApiSource, ServiceDocument } from '../app/ports.js'
import { mergeOpenApi } from '../domain/openapi-merge.js'
import { acceptedEncoding, encode, type Encoding } from './encoded-files.js'

/**
 * `GET /api/v1/openapi.json`: the services' documents merged into the public one, merged and
 * serialized once for each set of them (the source keeps each document, the same object, until
 * it fetches it anew), with an ETag that earns a 304, and brotli- or gzip-encoded once per
 * version for the clients that accept it. Merging, serializing and encoding its ~400 KB on every
 * request cost the gateway ~20 ms of CPU each: anyone could spend it by asking.
 */
export function publicDocument(source: OpenApiSource, match: Parameters<typeof mergeOpenApi>[1]) {
  interface Published {
    from: ServiceDocument[]
    body: Buffer
    etag: string
    /** Its brotli and gzip forms, each made the first time a client accepts it. */
    encoded: Partial<Record<Encoding, Promise<Buffer>>>
  }
  let published: Published | undefined
  const same = (a: ServiceDocument[], b: ServiceDocument[]) =>
    a.length === b.length &&
    a.every((d, i) => d.upstream === b[i]!.upstream && d.document === b[i]!.document)
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const from = await source.documents()
    if (published === undefined || !same(published.from, from)) {
      const body = Buffer.from(JSON.stringify(mergeOpenApi(from, match)))
      published = { from, body, etag: etagOf(body), encoded: {} }
    }
    const current = published
    const encoding = acceptedEncoding(request)
    // A client holding either form gets a 304 (tags compared weakly), with the tag a 200 would
    // carry: the weak form for an encoded body, other bytes than the document's.
    reply.header('cache-control', 'public, no-cache').header('vary', 'accept-encoding')
    if (noneMatch(request.headers['if-none-match'], current.etag)) {
      return reply
        .header('etag', encoding ? `W/${current.etag}` : current.etag)
        .code(304)
        .send()
    }
    reply.type('application/json; charset=utf-8')
    const encoded =
      encoding &&
      (await (current.encoded[encoding] ??= encode[encoding](current.body)).catch(() => {
        // Not kept: the next request tries again; this one gets the document as it is.
        delete current.encoded[encoding]
        return undefined
      }))
    if (!encoding || !encoded) return reply.header('etag', current.etag).send(current.body)
    return reply
      .header('etag', `W/${current.etag}`)
      .header('content-encoding', encoding)
      .send(encoded)
  }
}
