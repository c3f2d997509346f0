import type { FastifyInstance } from 'fastify'
import helmet from 'helmet'

/**
 * Helmet's response headers on every response of the gateway's routes. The middleware is built
 * once: @fastify/helmet builds a new one for each request (parsing the whole configuration
 * again), which was a few per cent of the gateway's CPU per proxied request. The headers are set
 * on the raw response first, so a route that sends its own (the docs page's and the
 * storefront's content security policies) replaces them.
 */
export function addSecurityHeaders(app: FastifyInstance): void {
  const apply = helmet({
    // JSON needs no sources; pages the gateway serves set their own (the docs page does).
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    // Sent by the edge only to clients that came over TLS: over plain HTTP it means nothing,
    // and on localhost it would pin the browser to an HTTPS that is not there.
    strictTransportSecurity: false,
  })
  app.addHook('onRequest', (request, reply, done) => {
    apply(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined))
  })
}
