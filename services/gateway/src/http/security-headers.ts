import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import helmet from 'helmet'
import { isProxied } from './edge.js'

/**
 * Helmet's response headers on every response of the gateway's routes. They depend on nothing of
 * the request, so helmet runs once, at start, on a stand-in response, and each request gets the
 * recorded headers (@fastify/helmet builds a new middleware for each request, parsing the whole
 * configuration again; running even a prebuilt one per request was a few per cent of the
 * gateway's CPU per proxied request). They go with fastify's other headers, first, so a route
 * that sends its own (the docs page's and the storefront's content security policies) replaces
 * them. Not on the raw response: a header set there sends every header of the response through
 * node's `setHeader` (its checks, an array for each) instead of `writeHead`'s single pass.
 */
export function addSecurityHeaders(app: FastifyInstance): void {
  const all = securityHeaders()
  const api = all.filter(([name]) => apiHeaders.has(name))
  app.addHook('onRequest', (request, reply, done) => {
    for (const [name, value] of isProxied(request) ? api : all) reply.header(name, value)
    done()
  })
}

/**
 * What an answer of the public API (JSON, event streams, a product's picture) carries of helmet's
 * set: the headers that mean something for a response no browser renders as a page (OWASP's REST
 * Security Cheat Sheet: no framing, no sniffing, no sources; no referrer; not readable from or by
 * other origins' documents). The rest are for pages (DNS prefetching, origin-keyed agent clusters)
 * or for browsers and plug-ins long gone (IE's download and XSS filter options, Flash's
 * cross-domain policies): the storefront's pages and the API reference still get them. Node
 * writes and checks each header of every answer, a third of what a kept read costs the gateway's
 * JavaScript (docs/performance.md, "The API's answers with fewer headers").
 */
const apiHeaders = new Set([
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'referrer-policy',
  'x-content-type-options',
  'x-frame-options',
])

/** The headers helmet sets, with the gateway's configuration, in the order it sets them. */
export function securityHeaders(): Array<[string, string]> {
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
  const set = new Map<string, string>()
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.set(name.toLowerCase(), String(value))
      return recorder
    },
    removeHeader(name: string) {
      set.delete(name.toLowerCase())
    },
  }
  let failed: unknown
  apply({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failed = error
  })
  if (failed) throw failed instanceof Error ? failed : new Error(String(failed))
  return [...set]
}
