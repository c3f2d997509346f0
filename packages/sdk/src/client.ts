// The client: openapi-fetch over the generated paths, with what every caller of the public API
// otherwise wrote by hand — the bearer token (refreshed once after a 401 when the caller can),
// an Idempotency-Key on the operations that take one, and JSON by default.
import createClient, { type Client, type Middleware } from 'openapi-fetch'
import { idempotentOperations, type paths } from './schema.js'

/** A typed client of the public API: `GET`, `POST`… on the document's paths (with `/api/v1`). */
export type EmporiumClient = Client<paths>

/** An access token, or what gives the current one (asked before each request). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>)

export interface EmporiumClientOptions {
  /**
   * The platform's origin, e.g. `http://localhost:8080` (the paths carry `/api/v1`); in a
   * browser, the page's `location.origin` for the shop that served it.
   */
  baseUrl: string
  /** Sent as `Authorization: Bearer …` unless a request sets `authorization` itself. */
  token?: TokenSource
  /**
   * Asked once when a request that carried a token is answered 401 (the token expired early or
   * was revoked): the request is sent again with the token it returns; undefined gives up.
   */
  onUnauthorized?: () => Promise<string | undefined>
  /**
   * A guest's cart token (`POST /api/v1/auth/guest`, see guest.ts), sent as `X-Cart-Token`
   * unless a request sets it itself: a shopper without an account uses its cart (and an API
   * client's merge at sign-in sends it beside the account's token). A browser on the shop's
   * origin needs none: the gateway keeps the token in an HttpOnly cookie.
   */
  cartToken?: TokenSource
  /** Sends each request (default: the global fetch), e.g. with a connection pool of its own. */
  fetch?: (request: Request) => Promise<Response>
  /** The Request class `fetch` takes, when it is not the global one (undici's own fetch). */
  Request?: typeof Request
  /** Headers for every request (a request's own win). */
  headers?: Record<string, string>
  /**
   * Makes the Idempotency-Key of a request that takes one and has none. A caller that may send
   * the same request again (a retry after a 503, a double click) passes its own key instead, the
   * same each time, so that the platform replays the first answer rather than acting twice.
   */
  idempotencyKey?: () => string
  /**
   * Sends a request again after the wait its answer asks for when the platform shed it: a 503
   * with `retry-after` and `x-emporium-shed: admission` (nothing of it ran, so any request may be
   * repeated), or `x-emporium-shed: deadline` for a request with an Idempotency-Key (the repeat
   * replays the first outcome). At most `attempts` more times, each wait at most
   * `maxWaitSeconds` (default 10; a longer one is returned to the caller). Off by default: a
   * caller that shows the wait to a person, or measures each answer, handles it itself.
   */
  retryShed?: { attempts: number; maxWaitSeconds?: number }
}

/** Creates a client of the public API. */
export function createEmporiumClient(options: EmporiumClientOptions): EmporiumClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { accept: 'application/json', ...options.headers },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.Request ? { Request: options.Request } : {}),
  })
  client.use(idempotencyMiddleware(options.idempotencyKey ?? randomKey))
  if (options.token !== undefined) client.use(bearerMiddleware(options.token, options))
  if (options.cartToken !== undefined) client.use(cartTokenMiddleware(options.cartToken))
  if (options.retryShed) client.use(shedMiddleware(options.retryShed))
  return client
}

/** Seconds a shed answer to `request` asks to wait before the same request, or undefined. */
export function shedWaitSeconds(request: Request, response: Response): number | undefined {
  if (response.status !== 503) return undefined
  const shed = response.headers.get('x-emporium-shed')
  const repeatable =
    shed === 'admission' || (shed === 'deadline' && request.headers.has('idempotency-key'))
  const seconds = Number(response.headers.get('retry-after') ?? Number.NaN)
  return repeatable && Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined
}

function shedMiddleware(retry: { attempts: number; maxWaitSeconds?: number }): Middleware {
  // Each request as it was before fetch consumed its body, to send again.
  const copies = new WeakMap<Request, Request>()
  const longest = retry.maxWaitSeconds ?? 10
  return {
    onRequest({ request }) {
      copies.set(request, request.clone())
    },
    async onResponse({ request, response, options: { fetch } }) {
      const copy = copies.get(request)
      copies.delete(request)
      let answer = response
      for (let attempt = 0; copy && attempt < retry.attempts; attempt++) {
        const wait = shedWaitSeconds(copy, answer)
        if (wait === undefined || wait > longest) break
        await answer.body?.cancel().catch(() => undefined)
        await new Promise((resolve) => setTimeout(resolve, wait * 1000))
        answer = await fetch(copy.clone())
      }
      return answer === response ? undefined : answer
    },
  }
}

const idempotent = new Set(idempotentOperations)

function idempotencyMiddleware(newKey: () => string): Middleware {
  return {
    onRequest({ request, schemaPath }) {
      if (request.headers.has('idempotency-key')) return
      if (idempotent.has(`${request.method} ${schemaPath}`)) {
        request.headers.set('idempotency-key', newKey())
      }
    },
  }
}

function bearerMiddleware(token: TokenSource, options: EmporiumClientOptions): Middleware {
  // The requests that may be sent again after a 401, as they were before fetch consumed them.
  const retriable = new WeakMap<Request, Request>()
  return {
    async onRequest({ request }) {
      if (request.headers.has('authorization')) return
      const value = typeof token === 'function' ? await token() : token
      if (!value) return
      request.headers.set('authorization', `Bearer ${value}`)
      if (options.onUnauthorized) retriable.set(request, request.clone())
    },
    async onResponse({ request, response, options: { fetch } }) {
      const again = retriable.get(request)
      retriable.delete(request)
      if (!again || response.status !== 401 || !options.onUnauthorized) return
      const value = await options.onUnauthorized()
      if (!value) return
      await response.body?.cancel().catch(() => undefined)
      again.headers.set('authorization', `Bearer ${value}`)
      return fetch(again)
    },
  }
}

/** The header that carries a guest's cart token. */
export const cartTokenHeader = 'X-Cart-Token'

function cartTokenMiddleware(token: TokenSource): Middleware {
  return {
    async onRequest({ request }) {
      if (request.headers.has(cartTokenHeader)) return
      const value = typeof token === 'function' ? await token() : token
      if (value) request.headers.set(cartTokenHeader, value)
    },
  }
}

/** A random (version 4) UUID; crypto.randomUUID needs a secure context, getRandomValues not. */
export function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
