import { etagOf, noneMatch } from '@emporium/platform'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { OpenApiSource, ServiceDocument } from '../app/ports.js'
import { mergeOpenApi } from '../domain/openapi-merge.js'

/**
 * `GET /api/v1/openapi.json`: the services' documents merged into the public one, merged and
 * serialized once for each set of them (the source keeps each document, the same object, until
 * it fetches it anew), with an ETag that earns a 304. Merging and serializing its ~400 KB on
 * every request cost the gateway ~15 ms of CPU each: anyone could spend it by asking.
 */
export function publicDocument(source: OpenApiSource, match: Parameters<typeof mergeOpenApi>[1]) {
  let published: { from: ServiceDocument[]; body: string; etag: string } | undefined
  const same = (a: ServiceDocument[], b: ServiceDocument[]) =>
    a.length === b.length &&
    a.every((d, i) => d.upstream === b[i]!.upstream && d.document === b[i]!.document)
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const from = await source.documents()
    if (published === undefined || !same(published.from, from)) {
      const body = JSON.stringify(mergeOpenApi(from, match))
      published = { from, body, etag: etagOf(body) }
    }
    reply.header('etag', published.etag).header('cache-control', 'public, no-cache')
    if (noneMatch(request.headers['if-none-match'], published.etag)) return reply.code(304).send()
    return reply.type('application/json; charset=utf-8').send(published.body)
  }
}
