import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { etagOf, noneMatch } from './etag.js'
import { requestSlot } from './request-slot.js'
import type { CachedResponse, Fill, ResponseCache } from './response-cache.js'

// A public read opts in with `{ config: { responseCache: {} } }` (installCachedReads).
declare module 'fastify' {
  interface FastifyContextConfig {
    responseCache?: CachedRoute
  }
}

/** A route whose 200 answers are cached for everyone alike. */
export interface CachedRoute {
  /** True: this request is answered fresh, not from the cache (staff who see drafts). */
  bypass?(request: FastifyRequest): boolean | Promise<boolean>
}

interface State {
  hit?: boolean
  fill?: Fill
  /** Not bypassed: the answer everyone who is not bypassed gets. */
  shared?: boolean
}

/**
 * How long a surrogate in front (the gateway's read cache) may keep a shared answer: an upper
 * bound it lowers to its own setting. Bypassed answers (staff, other services) carry none.
 */
const surrogateControl = 'max-age=1'

const states = requestSlot<State>('emporium.cachedRead')

/**
 * Serves the GET routes that opt in (`config.responseCache`) from `cache`, keyed by the URL
 * with its parameters in order, before validation or any handler runs: a hit costs neither a
 * query nor a serialization. Concurrent misses of one URL run the handler once. Every 200 of
 * such a route, cached or not, carries a strong `etag` (a hash of the body) and answers 304 to
 * a matching `if-none-match`; `cache-control` lets anyone store it but asks to revalidate each
 * time (`public, no-cache`), `private` when the request carried credentials, and varies with
 * `authorization`. Answers that are not bypassed carry `surrogate-control: max-age=1`: the
 * gateway may keep them for that long at most (its read cache, which staff never read from). Registered in the plugin whose routes it serves.
 */
export function installCachedReads(app: FastifyInstance, cache: ResponseCache): void {
  app.addHook('onRequest', async (request, reply) => {
    const rule = request.routeOptions.config.responseCache
    if (!rule || (request.method !== 'GET' && request.method !== 'HEAD')) return
    const state: State = {}
    states.set(request, state)
    if (request.method === 'HEAD' || (await rule.bypass?.(request))) return
    state.shared = true
    const key = cacheKey(request.url)
    // No await between the look and the fill: a second miss must find this one's.
    let entry = cache.get(key)
    const pending = entry ? undefined : cache.pending(key)
    if (pending) entry = await pending
    if (!entry) {
      state.fill = cache.fill(key)
      return
    }
    state.hit = true
    reply.header('content-type', entry.contentType)
    if (answer(request, reply, entry.etag, true)) return reply.code(304).send()
    return reply.send(entry.body)
  })

  app.addHook('onSend', async (request, reply, payload) => {
    const state = states.get(request)
    if (!state || state.hit) return payload
    const fill = state.fill
    state.fill = undefined
    if (reply.statusCode !== 200 || typeof payload !== 'string') {
      fill?.failed()
      return payload
    }
    const etag = fill
      ? fill.done(payload, String(reply.getHeader('content-type'))).etag
      : etagOf(payload)
    if (!answer(request, reply, etag, state.shared === true)) return payload
    reply.code(304).removeHeader('content-type').removeHeader('content-length')
    return null
  })

  // A request that ends without reaching onSend must not hold the others back.
  const release = async (request: FastifyRequest) => states.get(request)?.fill?.failed()
  app.addHook('onResponse', release)
  app.addHook('onRequestAbort', release)
}

/** Sets the validators; true when the client holds this very body (a 304 is due). */
function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  etag: CachedResponse['etag'],
  shared: boolean,
) {
  const credentials = request.headers.authorization !== undefined
  const vary = reply.getHeader('vary')
  if (shared) reply.header('surrogate-control', surrogateControl)
  reply
    .header('etag', etag)
    .header('cache-control', credentials ? 'private, no-cache' : 'public, no-cache')
    .header('vary', vary ? `${String(vary)}, authorization` : 'authorization')
  return noneMatch(request.headers['if-none-match'], etag)
}

/** The URL with its parameters sorted by name (the values of one name keep their order). */
export function cacheKey(url: string): string {
  const at = url.indexOf('?')
  if (at < 0) return url
  const pairs = url.slice(at + 1).split('&')
  if (pairs.length < 2) return url
  const named = pairs.map((pair, index) => ({ name: pair.split('=', 1)[0]!, pair, index }))
  named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.index - b.index))
  return `${url.slice(0, at)}?${named.map((p) => p.pair).join('&')}`
}
