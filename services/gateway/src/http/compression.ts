import compress from '@fastify/compress'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/**
 * Text that browsers and API clients read: the storefront's pages, scripts, styles, icons and
 * manifests, and JSON (problem documents included). Not event streams: a compressor holds what
 * it is given until it has enough to emit, so each event would wait instead of reaching the
 * shopper. Not images, fonts or archives, which are compressed already.
 */
export const compressibleType =
  /^(?:text\/(?:html|css|javascript|plain|xml|markdown)|application\/(?:javascript|json|xml|manifest\+json|[\w.-]+\+json|[\w.-]+\+xml)|image\/svg\+xml)\s*(?:;|$)/i

/**
 * Brotli or gzip, as the client accepts, for compressible responses of at least `threshold`
 * bytes (smaller ones gain less than the encoding costs), files and proxied streams included.
 * A response that is encoded already (an upstream that compressed) passes as it is, partial
 * content (206) too. Request bodies are not decompressed: the gateway forwards them as the
 * client sent them.
 *
 * Registered on the gateway's encapsulated routes, before them, so that it applies to what they
 * answer and not to the platform's operational routes.
 */
export async function registerCompression(
  app: FastifyInstance,
  options: { threshold?: number } = {},
): Promise<void> {
  const threshold = options.threshold ?? 1024
  await app.register(compress, {
    encodings: ['br', 'gzip'],
    threshold,
    customTypes: compressibleType,
    globalDecompression: false,
  })
  // The plugin measures buffered payloads only, and would wrap a file or a proxied stream in an
  // encoder whatever it holds: a 304 (no body, and no Content-Encoding may describe one), the
  // answer to a HEAD (whose Content-Length is the GET's), or a file under the threshold. Those
  // are marked with the plugin's own opt-out before its hook runs (route hooks run after these).
  app.addHook('onSend', (request, reply, payload, done) => {
    const length = Number(reply.getHeader('content-length') ?? Number.NaN)
    const bodiless =
      request.method === 'HEAD' || reply.statusCode === 204 || reply.statusCode === 304
    if (bodiless || length < threshold) request.raw.headers['x-no-compression'] = 'gateway'
    weakenIfEncodable(request, reply)
    done(null, payload)
  })
}

const encodings = /(?:^|[\s,])(?:br|gzip|\*)\s*(?:,|;(?!\s*q=0(?:\.0*)?\s*(?:,|$))|$)/i

/**
 * An upstream's strong ETag names its identity bytes; the brotli or gzip body made here is other
 * bytes, so the tag passed on is weak (RFC 9110 8.8.1) whenever this client may be sent an
 * encoding: on a 200 of a compressible type (under the threshold too, so that the tag does not
 * depend on the size) and on a 304 (which must carry the tag the 200 would). The upstream
 * compares `If-None-Match` weakly, so the weak tag sent back still earns a 304.
 */
function weakenIfEncodable(request: FastifyRequest, reply: FastifyReply) {
  const etag = reply.getHeader('etag')
  if (typeof etag !== 'string' || !etag.startsWith('"')) return
  if (reply.hasHeader('content-encoding')) return
  if (!encodings.test(String(request.headers['accept-encoding'] ?? ''))) return
  const type = String(reply.getHeader('content-type') ?? '')
  if (reply.statusCode === 304 || (reply.statusCode === 200 && compressibleType.test(type))) {
    reply.header('etag', `W/${etag}`)
  }
}
